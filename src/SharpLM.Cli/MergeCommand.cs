// `sharplm merge BASE ADAPTER OUT [--adapter DIR …] [--type f32|f16|bf16|q8_0|q4_0]`: merges PEFT adapter folders (LoRA,
// DoRA, IA³; ModelOpener with ModelOpenOptions.Adapters) into the base model's f32 weights and writes the result in the
// format OUT names — a Hugging Face folder (the base folder's tokenizer files copied along), a GGUF file (with the
// tokenizer, then `sharplm quantize` as usual) or a llama2.c .bin.
using System.CommandLine;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;

namespace SharpLM.Cli;

internal static class MergeCommand
{
    /// <summary>Files of a Hugging Face folder that describe the tokenizer and generation, copied to a merged folder.</summary>
    private static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "generation_config.json"];

    public static Command Create()
    {
        var input = new Argument<string>("base") { Description = "Base model: HF folder, .gguf or llama2.c .bin." };
        var adapter = new Argument<string>("adapter") { Description = "PEFT adapter folder (adapter_config.json + adapter_model.safetensors)." };
        var output = new Argument<string>("out") { Description = "Target: *.gguf, *.bin (llama2.c v1) or a folder (HF safetensors + config.json)." };
        var more = new Option<string[]>("--adapter") { Description = "A further adapter folder merged after the first (repeatable).", AllowMultipleArgumentsPerToken = false };
        var type = new Option<string>("--type") { Description = "GGUF weight type: f32, f16, bf16, q8_0, q4_0.", DefaultValueFactory = _ => "f32" };
        var cmd = new Command("merge", "Merge PEFT adapters (LoRA, DoRA, IA3) into a model and save it.") { input, adapter, output, more, type };
        cmd.SetAction(r => Run(r.GetValue(input)!, [r.GetValue(adapter)!, .. r.GetValue(more) ?? []], r.GetValue(output)!, r.GetValue(type)!));
        return cmd;
    }

    private static int Run(string input, string[] adapters, string output, string typeName)
    {
        try
        {
            var type = ConvertCommand.ParseType(typeName);
            var fmt = ModelFile.FromTargetPath(output);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var opened = ModelOpener.Open(input, new ModelOpenOptions
            {
                Executor = false, DecoderModel = true, Adapters = adapters,
                Tokenizer = fmt == ModelFileFormat.Gguf ? TokenizerUse.IfPresent : TokenizerUse.None,
            });
            var model = opened.Model;
            var vocab = opened.Tokenizer?.Tokenizer is { } vt ? ModelVocabulary.KeyValues(vt, model.Config.VocabSize, input) : null;
            ModelFile.Save(model, output, fmt, type, vocab);
            if (fmt == ModelFileFormat.HfDirectory && opened.Format == ModelFileFormat.HfDirectory)
                foreach (var f in TokenizerFiles)
                    if (File.Exists(Path.Combine(opened.Path, f))) File.Copy(Path.Combine(opened.Path, f), Path.Combine(output, f), overwrite: true);
            Console.WriteLine($"{opened.Format} {input} + {string.Join(" + ", adapters)} → {fmt} {output}{(fmt == ModelFileFormat.Gguf ? $" ({type})" : "")}: " +
                              $"{model.ParameterCount:N0} parameters in {sw.Elapsed.TotalSeconds:F1}s");
            return 0;
        }
        catch (Exception e) when (ModelOpener.IsBadInput(e))
        {
            Console.Error.WriteLine($"merge: {e.Message}");
            return 2;
        }
    }
}
