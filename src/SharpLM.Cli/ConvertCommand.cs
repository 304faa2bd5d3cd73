// `sharplm convert IN OUT [--type f32|f16|bf16|q8_0|q4_0]`: load a model from a Hugging Face folder, a GGUF
// file or a llama2.c checkpoint (ModelOpener: the DecoderModel, and the tokenizer a GGUF target carries) and write
// it in the format OUT names (*.gguf, *.bin, otherwise a folder).
using System.CommandLine;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;

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
            var fmt = ModelFile.FromTargetPath(output);
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
            Console.Error.WriteLine($"convert: {e.Message}");
            return 2;
        }
    }
}
