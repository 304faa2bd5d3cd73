// `sharplm convert IN OUT [--type f32|f16|bf16|q8_0|q4_0]`: load a model from a Hugging Face folder, a GGUF
// file or a llama2.c checkpoint and write it in the format OUT names (*.gguf, *.bin, otherwise a folder).
using System.CommandLine;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Cli;

internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "Source: HF folder, .gguf or llama2.c .bin." };
        var output = new Argument<string>("out") { Description = "Target: *.gguf, *.bin (llama2.c v1) or a folder (HF safetensors + config.json)." };
        var type = new Option<string>("--type") { Description = "GGUF weight type: f32, f16, bf16, q8_0, q4_0.", DefaultValueFactory = _ => "f32" };
        var cmd = new Command("convert", "Convert a model between HF safetensors, GGUF and llama2.c.") { input, output, type };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(type)!));
        return cmd;
    }

    public static GgmlType ParseType(string t) => t.ToLowerInvariant() switch
    {
        "f32" => GgmlType.F32, "f16" => GgmlType.F16, "bf16" => GgmlType.BF16, "q8_0" => GgmlType.Q8_0, "q4_0" => GgmlType.Q4_0,
        _ => throw new ArgumentException($"--type '{t}' is not one of f32, f16, bf16, q8_0, q4_0."),
    };

    private static int Run(string input, string output, string typeName)
    {
        try
        {
            var type = ParseType(typeName);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var model = ModelFile.Load(input);
            var fmt = ModelFile.FromTargetPath(output);
            ModelFile.Save(model, output, fmt, type, fmt == ModelFileFormat.Gguf ? ModelVocabulary.For(input, model.Config.VocabSize) : null);
            Console.WriteLine($"{ModelFile.Detect(input)} {input} → {fmt} {output}{(fmt == ModelFileFormat.Gguf ? $" ({type})" : "")}: " +
                              $"{model.ParameterCount:N0} parameters in {sw.Elapsed.TotalSeconds:F1}s");
            return 0;
        }
        catch (Exception e) when (e is ModelFormatException or FileNotFoundException or ArgumentException or NotSupportedException or FormatException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"convert: {e.Message}");
            return 2;
        }
    }
}
