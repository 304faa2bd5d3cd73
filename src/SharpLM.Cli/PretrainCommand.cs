// `sharplm pretrain --config FILE [key=value …] [--resume]` and `sharplm quickstart`: thin wrappers over
// SharpLM.Training.Pretrainer. Quickstart needs nothing: it generates its own corpus (or uses --data),
// trains a small LLaMA-style model for a few minutes with a progress bar, then prints samples, the
// validation loss and where the run's files are.
using System.CommandLine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Models.Transformer;
using SharpLM.Training.Data;
using SharpLM.Training.Pretraining;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class PretrainCommand
{
    public static Command CreatePretrain()
    {
        var config = new Option<string?>("--config") { Description = "JSON config (keys of PretrainConfig, snake_case)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from out_dir/checkpoint (it must exist)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start afresh even though out_dir holds a checkpoint (it is replaced)." };
        var overrides = new Argument<string[]>("overrides") { Description = "key=value overrides, e.g. steps=2000 lr=1e-3 model.dim=512 model.preset=tiny-llama (old dim=512 also works).", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("pretrain", "Pretrain a decoder (the config's model section; LLaMA-style by default) on a text corpus.") { config, resume, overwrite, overrides };
        cmd.SetAction(r =>
        {
            var cfg = Resolve(r.GetValue(config), r.GetValue(overrides) ?? []);
            if (cfg is null) return CliExit.BadInput;
            bool res = r.GetValue(resume), over = r.GetValue(overwrite);
            if (res && over) return CliError.Print("pretrain", "give --resume or --overwrite, not both.", CliExit.Usage);
            if (cfg.Data is null) return CliError.Print("pretrain", "set data=PATH (a UTF-8 text file) in the config or as an override.", CliExit.Usage);
            if (Directory.Exists(cfg.Data))
            {
                if (cfg.TokenizerPath is null) return CliError.Print("pretrain", "data is a shard folder; set tokenizer_path to the tokenizer the shards were made with.", CliExit.Usage);
                return Train(cfg, () => Pretrainer.FromShards(cfg, cfg.Data, cfg.TokenizerPath), res, over);
            }
            return Train(cfg, () => new Pretrainer(cfg, ReadCorpus(cfg.Data)), res, over);
        });
        return cmd;
    }

    public static Command CreateQuickstart()
    {
        var data = new Option<string?>("--data") { Description = "Train on this text file instead of the generated corpus." };
        var steps = CliOptions.AtLeast(new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 300 }, 1);
        var outDir = new Option<string>("--output", "-o", "--out") { Description = "Output folder (a run already there is replaced).", DefaultValueFactory = _ => "runs/quickstart" };
        var cmd = new Command("quickstart", "Train a small model end to end on built-in defaults (no network needed).") { data, steps, outDir };
        cmd.SetAction(r =>
        {
            try { CliFiles.RequireWritableFolder(r.GetValue(outDir)!); if (r.GetValue(data) is { } d) CliFiles.RequireFile(d, "a UTF-8 text file"); }
            catch (Exception e) when (e is IOException or InvalidDataException) { return CliError.Print("quickstart", e); }
            InfoCommand.Print();
            Console.WriteLine();
            var cfg = new PretrainConfig { Steps = r.GetValue(steps), OutDir = r.GetValue(outDir)!, Data = r.GetValue(data), Tokenizer = SharpLM.Training.Data.TokenizerKind.Bpe, BpeVocabSize = 512 };
            string corpus;
            if (cfg.Data is null)
            {
                corpus = SyntheticCorpus.Generate(400_000, cfg.Seed);
                Console.WriteLine($"Corpus: {corpus.Length:N0} characters of generated stories and arithmetic (seed {cfg.Seed}).");
            }
            else corpus = ReadCorpus(cfg.Data);
            return Train(cfg, () => new Pretrainer(cfg, corpus), resume: false, overwrite: true, verb: "quickstart");
        });
        return cmd;
    }

    private static PretrainConfig? Resolve(string? path, string[] overrides)
    {
        try { return (path is null ? new PretrainConfig() : PretrainConfig.Load(path)).With(overrides).Validate(); }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or InvalidDataException)
        {
            CliError.Print("pretrain", e);
            return null;
        }
    }

    private static string ReadCorpus(string path)
    {
        CliFiles.RequireFile(path, "a UTF-8 text file (or a folder of token shards)");
        return File.ReadAllText(path);
    }

    private static int Train(PretrainConfig cfg, Func<Pretrainer> make, bool resume, bool overwrite, string verb = "pretrain")
    {
        try { CliFiles.RequireWritableFolder(cfg.OutDir); }
        catch (InvalidDataException e) { return CliError.Print(verb, e); }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("\nStopping after this step (checkpoint will be written)…"); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var trainer = make();
            var mc = trainer.Model.Config;
            Console.WriteLine($"Model: {mc.Family}{(cfg.InitFrom is null ? "" : $" from {cfg.InitFrom}")}, dim {mc.Dim}, {mc.Layers} layers, {mc.Heads} heads, context {cfg.Context}, " +
                              $"{trainer.Model.ParameterCount:N0} parameters; {trainer.Tokenizer.Kind} vocabulary of {trainer.Tokenizer.VocabSize}.");
            Console.WriteLine($"Training {cfg.Steps} steps of {cfg.BatchSize}×{cfg.Context} tokens ({cfg.Optimizer}, lr {cfg.Lr}, {cfg.Schedule}):");
            var result = trainer.Run(new ProgressLine(), Sample, cts.Token, resume, overwrite);
            Console.WriteLine();
            if (result.Diverged)
                return CliError.Print(verb, $"the run diverged: {cfg.MaxSkips} batches in a row were skipped at step {result.StepsDone} (loss not finite or above "
                    + $"spike_factor {cfg.SpikeFactor} × its running mean); lower lr (now {cfg.Lr}) or raise spike_factor. Its metrics and checkpoint are in {cfg.OutDir}.");
            Console.WriteLine(result.Cancelled ? $"Cancelled at step {result.StepsDone}; resume with --resume."
                : result.StepsDone < cfg.Steps ? $"Stopped by the {cfg.MaxMinutes}-minute budget at step {result.StepsDone} of {cfg.Steps}."
                : $"Finished {result.StepsDone} steps.");
            Console.WriteLine($"Validation loss {result.FinalValLoss:F4} per token (best {result.BestValLoss:F4}); " +
                              $"{result.FinalValLoss / Math.Log(2) / trainer.BytesPerToken:F3} bits per byte.");
            Console.WriteLine("Samples:");
            foreach (var seed in new ulong[] { 1, 2 }) Console.WriteLine("  " + Sample(trainer.Model, trainer.Tokenizer, seed).Replace("\n", "\n  "));
            Console.WriteLine("Files:");
            foreach (var f in result.Files) Console.WriteLine($"  {f}");
            return result.Cancelled ? 130 : 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException)
        {
            return CliError.Print(verb, e);
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    private static string Sample(DecoderModel model, CorpusTokenizer tok) => Sample(model, tok, 7);

    private static string Sample(DecoderModel model, CorpusTokenizer tok, ulong seed)
    {
        var prompt = tok.Encode("Once upon a time");
        int budget = Math.Min(160, model.Config.MaxPositions - prompt.Length);
        if (budget < 1) return tok.Decode(prompt); // the prompt fills the context: nothing to add
        var r = new TextGenerator(model).Generate(prompt, new GenerationOptions
        {
            MaxNewTokens = budget, Sampling = new SamplingOptions { Temperature = 0.8f, TopK = 20, Seed = seed },
        });
        return tok.Decode([.. prompt, .. r.Tokens]);
    }
}
