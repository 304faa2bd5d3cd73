// `sharplm convert IN OUT [--type f32|f16|bf16|q8_0|q4_0]`: load a model from a Hugging Face folder, a GGUF
// file or a llama2.c checkpoint (ModelOpener: the DecoderModel, and the tokenizer a GGUF target carries) and write
// it in the format OUT names (*.gguf, *.bin, otherwise a folder).
using System.CommandLine;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "Source: HF folder, .gguf or llama2.c .bin." };
        var output = new Argument<string>("out") { Description = "Target: *.gguf, *.bin (llama2.c v1) or a folder (HF safetensors + config.json)." };
        var type = new Option<string>("--type") { Description = "GGUF weight type: f32, f16, bf16, q8_0, q4_0 (GGUF targets only).", DefaultValueFactory = _ => "f32" };
        type.AcceptOnlyFromAmong("f32", "f16", "bf16", "q8_0", "q4_0");
        var cmd = new Command("convert", "Convert a model between HF safetensors, GGUF and llama2.c.") { input, output, type };
        cmd.SetAction(r =>
        {
            string outPath = r.GetValue(output)!;
            if (outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return CliError.Print("convert", $"{outPath}: a single .safetensors file is not a target; expected *.gguf, *.bin (llama2.c) or a folder name (HF safetensors + config.json).", CliExit.Usage);
            if (r.GetResult(type) is { Implicit: false } && ModelFile.FromTargetPath(outPath) != ModelFileFormat.Gguf)
                return CliError.Print("convert", $"--type applies to GGUF targets only; {outPath} is a {ModelFile.FromTargetPath(outPath)} target, which stores f32 weights.", CliExit.Usage);
            return Run(r.GetValue(input)!, outPath, r.GetValue(type)!);
        });
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
            var fmt = ModelFile.FromTargetPath(output);
            if (fmt == ModelFileFormat.HfDirectory) CliFiles.RequireWritableFolder(output); else CliFiles.RequireWritableFile(output);
            using var opened = ModelOpener.Open(input, new ModelOpenOptions
            {
                Executor = false, DecoderModel = true, Tokenizer = fmt == ModelFileFormat.Gguf ? TokenizerUse.IfPresent : TokenizerUse.None,
            });
            var model = opened.Model;
            var vocab = opened.Tokenizer?.Tokenizer is { } vt ? ModelVocabulary.KeyValues(vt, model.Config.VocabSize, input) : null;
            ModelFile.Save(model, output, fmt, type, vocab);
            Console.WriteLine($"{opened.Format} {input} → {fmt} {output}{(fmt == ModelFileFormat.Gguf ? $" ({type})" : "")}: " +
                              $"{model.ParameterCount:N0} parameters in {sw.Elapsed.TotalSeconds:F1}s");
            return 0;
        }
        catch (Exception e) when (ModelOpener.IsBadInput(e))
        {
            return CliError.Print("convert", e);
        }
    }
}
