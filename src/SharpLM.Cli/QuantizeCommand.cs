// `sharplm quantize IN OUT.gguf --type q8_0|q4_0|f16 [--eval-text FILE] [--eval-tokens N]`: post-training
// quantisation to GGUF blocks (llama.cpp-compatible), then, given held-out text, the perplexity of the
// original (f32) and the quantised model (run on the GGUF-native engine) over the same tokens.
using System.CommandLine;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class QuantizeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "Source model: HF folder, .gguf or llama2.c .bin." };
        var output = new Argument<string>("out") { Description = "Target .gguf file." };
        var type = new Option<string>("--type") { Description = "q8_0, q4_0, f16 or bf16.", DefaultValueFactory = _ => "q8_0" };
        type.AcceptOnlyFromAmong("q8_0", "q4_0", "f16", "bf16");
        var text = new Option<string?>("--eval-text") { Description = "Held-out text for the perplexity report (needs the model's tokenizer)." };
        var n = CliOptions.AtLeast(new Option<int>("--eval-tokens") { Description = "Tokens of the held-out text to score.", DefaultValueFactory = _ => 256 }, 2);
        var cmd = new Command("quantize", "Quantise a model to GGUF blocks and report the perplexity change.") { input, output, type, text, n };
        cmd.SetAction(r =>
        {
            try
            {
                string inPath = r.GetValue(input)!, outPath = r.GetValue(output)!;
                if (!outPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) return CliError.Print("quantize", $"the target must be a .gguf file, got {outPath}.", CliExit.Usage);
                var t = ConvertCommand.ParseType(r.GetValue(type)!);
                if (r.GetValue(text) is { } evalText) CliFiles.RequireFile(evalText, "held-out UTF-8 text for --eval-text");
                CliFiles.RequireWritableFile(outPath);
                // The tokenizer goes into the GGUF when there is one; --eval-text needs it (checked before anything is written).
                var need = r.GetValue(text) is null ? TokenizerUse.IfPresent : TokenizerUse.Required;
                using var opened = ModelOpener.Open(inPath, new ModelOpenOptions { Executor = false, DecoderModel = true, Tokenizer = need });
                var model = opened.Model;
                var vocab = opened.Tokenizer?.Tokenizer is { } vt ? ModelVocabulary.KeyValues(vt, model.Config.VocabSize, inPath) : null;
                ModelFile.Save(model, outPath, ModelFileFormat.Gguf, t, vocab);
                Console.WriteLine($"wrote {outPath} ({t}, {new FileInfo(outPath).Length / 1e6:F1} MB)");
                if (r.GetValue(text) is not { } textPath) return 0;
                var tokens = opened.Tokenizer!.Encode(File.ReadAllText(textPath));
                int count = Math.Min(Math.Min(r.GetValue(n), tokens.Length), model.Config.MaxPositions);
                var ids = tokens[..count];
                using var reference = new DecoderModelLm(model);
                var before = Perplexity.Evaluate(reference, ids);
                using var quantised = ModelOpener.Open(outPath, new ModelOpenOptions { Tokenizer = TokenizerUse.None });
                var after = Perplexity.Evaluate(quantised.Lm, ids);
                Console.WriteLine($"perplexity over {count} tokens of {textPath}: f32 {before.Ppl:F4} → {t} {after.Ppl:F4} ({(after.Ppl / before.Ppl - 1) * 100:+0.00;-0.00}%)");
                return 0;
            }
            catch (Exception e) when (ModelOpener.IsBadInput(e) || e is InvalidOperationException)
            {
                return CliError.Print("quantize", e);
            }
        });
        return cmd;
    }
}
