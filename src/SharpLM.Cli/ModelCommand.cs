// `sharplm model info`: parameter count, layout summary and the memory table for a preset or a Hugging Face
// config.json — computed from the config alone, no weights are allocated.
using System.CommandLine;
using SharpLM.Models.Families;
using SharpLM.Models.Memory;
using SharpLM.Models.Transformer;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class ModelCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = $"One of: {string.Join(", ", DecoderPresets.ByName.Keys)}." };
        var config = new Option<string?>("--config") { Description = "A Hugging Face config.json (or its folder)." };
        var rank = CliOptions.AtLeast(new Option<int>("--lora-rank") { Description = "LoRA rank on q/v projections for the LoRA rows.", DefaultValueFactory = _ => 8 }, 1);
        var info = new Command("info", "Parameter count and memory needed for inference and training.") { preset, config, rank };
        info.SetAction(r => Info(r.GetValue(preset), r.GetValue(config), r.GetValue(rank)));
        return new Command("model", "Inspect model configurations.") { info };
    }

    private static int Info(string? preset, string? configPath, int rank)
    {
        DecoderConfig c;
        try
        {
            if (configPath is not null) c = HfConfig.Load(configPath);
            else if (preset is not null && DecoderPresets.ByName.TryGetValue(preset, out var p)) c = p;
            else return CliError.Print("model info", $"give --config PATH or --preset NAME (one of {string.Join(", ", DecoderPresets.ByName.Keys)}).", CliExit.Usage);
        }
        catch (Exception e) when (e is SharpLM.Formats.ModelFormatException or FormatException or NotSupportedException or FileNotFoundException or ArgumentException or System.Text.Json.JsonException)
        {
            return CliError.Print("model info", e);
        }
        long n = DecoderLayout.Count(c);
        Console.WriteLine($"family {c.Family}: dim {c.Dim}, layers {c.Layers}, heads {c.Heads} (kv {c.KvHeads}), ffn {c.FfnDim}, vocab {c.VocabSize}, context {c.MaxPositions}");
        Console.WriteLine($"  norm {c.Norm} eps {c.NormEps}, positions {c.Positions}{(c.Positions == PositionKind.Rotary ? $" theta {c.RopeTheta}" : "")}, mlp {c.Mlp}, tied embeddings {c.TiedEmbeddings}");
        Console.WriteLine($"  parameters {n:N0} ({n / 1e9:F2} B); LoRA rank {rank} on q,v adds {MemoryEstimate.LoraParameters(c, rank):N0}");
        Console.WriteLine();
        Console.WriteLine($"  {"setting",-36} {"trainable",15} {"weights",10} {"grads",10} {"Adam",10} {"total",10}");
        foreach (var l in MemoryEstimate.Table(n, MemoryEstimate.LoraParameters(c, rank)))
            Console.WriteLine($"  {l.Setting,-36} {l.TrainableParameters,15:N0} {MemoryEstimate.Format(l.WeightBytes),10} {MemoryEstimate.Format(l.GradientBytes),10} {MemoryEstimate.Format(l.OptimizerBytes),10} {MemoryEstimate.Format(l.TotalBytes),10}");
        Console.WriteLine("  (activations and KV cache not included)");
        return 0;
    }
}
