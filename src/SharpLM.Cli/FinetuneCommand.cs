// `sharplm finetune --config sft.json [key=value …] [--resume]`: supervised fine-tuning (full or a PEFT method)
// as a thin wrapper over SharpLM.Training.Sft.Finetuner, with a progress bar, Ctrl+C to stop (a checkpoint is
// written), and at the end the held-out exact-match score of the first answers (greedy), sample answers, the
// trainable parameters, peak memory and tokens/s. `sharplm data make-sft-demo` writes the demo instruction set.
using System.CommandLine;
using SharpLM.Inference.Generation;
using SharpLM.Models.Transformer;
using SharpLM.Text.ChatTemplates;
using SharpLM.Training.Sft;

namespace SharpLM.Cli;

internal static class FinetuneCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON config (FinetuneConfig keys, snake_case; \"train\" holds the Trainer options)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from out_dir/checkpoint." };
        var score = new Option<int>("--score") { Description = "Greedy answers to score against the held-out sessions' first answers.", DefaultValueFactory = _ => 50 };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value overrides, e.g. train.steps=200 train.lr=3e-4 method=lora peft.r=8.", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("finetune", "Supervised fine-tuning on chat data (method full|lora|dora|adapter|prefix|prompt|ptuning|ia3|llama-adapter).") { config, resume, score, overrides };
        cmd.SetAction(r =>
        {
            FinetuneConfig cfg;
            try { cfg = (r.GetValue(config) is { } p ? FinetuneConfig.Load(p) : new FinetuneConfig()).With(r.GetValue(overrides) ?? []).Validate(); }
            catch (Exception e) when (e is FormatException or ArgumentException or FileNotFoundException)
            {
                Console.Error.WriteLine($"finetune: {e.Message}");
                return 2;
            }
            return Run(cfg, r.GetValue(resume), r.GetValue(score));
        });
        return cmd;
    }

    /// <summary>`sharplm data make-sft-demo --out DIR`.</summary>
    public static Command CreateMakeDemo()
    {
        var outDir = new Option<string>("--out") { Description = "Folder for train.jsonl and val.jsonl.", DefaultValueFactory = _ => "data/sft-demo" };
        var count = new Option<int>("--count") { Description = "Training sessions.", DefaultValueFactory = _ => 4000 };
        var cmd = new Command("make-sft-demo", "Write the fine-tuning demo's instruction set (story questions, worked arithmetic) as messages JSONL.") { outDir, count };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(outDir)!;
            SftDemoData.Write(Path.Combine(dir, "train.jsonl"), r.GetValue(count), seed: 1);
            SftDemoData.Write(Path.Combine(dir, "val.jsonl"), 200, seed: 2);
            Console.WriteLine($"Wrote {r.GetValue(count)} training and 200 held-out sessions to {dir}/train.jsonl and {dir}/val.jsonl.");
            return 0;
        });
        return cmd;
    }

    private static int Run(FinetuneConfig cfg, bool resume, int score)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("\nStopping after this step (checkpoint will be written)…"); };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var f = new Finetuner(cfg);
            var mc = f.Model.Config;
            long trainable = f.Trainables().Sum(p => p.Param.Numel);
            Console.WriteLine($"Model: {cfg.InitFrom} ({mc.Family}, dim {mc.Dim}, {mc.Layers} layers, {f.Model.ParameterCount:N0} parameters); template: {f.Template.Description}.");
            Console.WriteLine($"Data: {f.Data.Examples.Count} sessions ({f.Data.SkippedNoAssistant} without an assistant turn skipped, {f.Data.Truncated} cut to {f.Context + 1} tokens, {f.Data.SkippedNoLossTokens} cut before an answer).");
            Console.WriteLine($"Method {FinetuneMethodConverter.Instance.NameOf(cfg.Method)}: {trainable:N0} trainable parameters ({100.0 * trainable / f.Model.ParameterCount:F2}%); " +
                              $"{cfg.Train.Steps} steps of {cfg.BatchSize}×{f.Context} tokens{(cfg.Pack ? " (packed)" : "")}, loss per {(cfg.LossNormalization == LossNormalization.Token ? "token" : "session")}.");
            var result = f.Run(new ProgressLine(), cts.Token, resume);
            Console.WriteLine();
            Console.WriteLine(result.Cancelled ? $"Cancelled at step {result.StepsDone}; resume with --resume." : $"Finished {result.StepsDone} steps.");
            Console.WriteLine($"Held-out loss {result.FinalValLoss:F4} per answer token (best {result.BestValLoss:F4}); {result.TokensPerSecond:F0} tokens/s; peak working set {result.PeakWorkingSetBytes / 1048576.0:F0} MiB.");
            if (score > 0) Score(f, score);
            Console.WriteLine("Files:");
            foreach (var file in result.Files) Console.WriteLine($"  {file}");
            return result.Cancelled ? 130 : 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or FormatException or InvalidOperationException or InvalidDataException
                                      or SharpLM.Formats.ModelFormatException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"finetune: {e.Message}");
            return 2;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    /// <summary>Greedy answers to the first question of up to <paramref name="n"/> held-out sessions; exact match with the reference.</summary>
    private static void Score(Finetuner f, int n)
    {
        var cfg = f.Encoder;
        var files = f.ValSource;
        if (files.Count == 0) return;
        f.Model.Eval();
        var gen = new TextGenerator(f.Model);
        int right = 0, total = 0;
        var shown = new List<string>();
        foreach (var conv in files.Take(n))
        {
            int firstAnswer = conv.ToList().FindIndex(m => m.Role == ChatRole.Assistant);
            if (firstAnswer < 1) continue;
            var prompt = conv.Take(firstAnswer).ToList();
            var text = cfg.Template.Render(prompt, addGenerationPrompt: true).Text;
            var ids = cfg.Tokenizer.Encode(text).Ids;
            int budget = Math.Min(64, f.Model.Config.MaxPositions - ids.Length);
            if (budget <= 0) continue;
            // Stop at the EOS id and at every end-of-turn marker that is one token (specials are skipped in decoded text).
            var stops = cfg.EndMarkers.Select(m => cfg.Tokenizer.Encode(m).Ids).Where(t => t.Length == 1).Select(t => t[0])
                .Concat(f.Tokenizer.Eos is int eos ? [eos] : []).Distinct().ToArray();
            var res = gen.Generate(ids, new GenerationOptions { MaxNewTokens = budget, StopTokens = stops, StopStrings = cfg.EndMarkers.ToArray(), Detokenize = t => f.Tokenizer.Decode(t) });
            string answer = (res.Text ?? f.Tokenizer.Decode(res.Tokens)).Trim();
            foreach (var m in cfg.EndMarkers) if (answer.EndsWith(m)) answer = answer[..^m.Length].Trim();
            string want = conv[firstAnswer].Content.Trim();
            total++;
            if (answer == want) right++;
            if (shown.Count < 3) shown.Add($"  Q: {prompt[^1].Content}\n  A: {answer}\n  (reference: {want})");
        }
        Console.WriteLine($"Held-out first answers, greedy: {right}/{total} exact ({(total == 0 ? 0 : 100.0 * right / total):F1}%).");
        foreach (var s in shown) Console.WriteLine(s);
    }
}
