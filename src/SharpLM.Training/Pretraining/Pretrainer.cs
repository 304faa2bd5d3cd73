// Pretrainer: pretraining as a composition — a tokenizer built from the corpus (char or BPE) or the shards'
// own, the decoder of the config's model section (fresh, or `init_from` a model file), random token windows
// (TokenWindowSampler) and the causal-LM loss given to the generic Trainer, with callbacks for validation (loss, perplexity, bits
// per character/byte, a sample), the SQLite run store, atomic checkpoints (exact resume) and progress. PNG
// curves and the HTML summary are drawn at the end; cancellation stops after the step and still checkpoints.
using SharpLM.Models.Transformer;
using SharpLM.Training.Checkpoints;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Models.Checkpoints;
using SharpLM.Tensors.Threading;
using SharpLM.Training.Data;
using SharpLM.Training.Trainers;
using SharpLM.Training.Runs;

namespace SharpLM.Training.Pretraining;

/// <summary>What a finished (or cancelled) run produced.</summary>
public sealed record PretrainResult(long RunId, string OutDir, long StepsDone, float FinalValLoss, float BestValLoss, IReadOnlyList<string> Files, bool Cancelled)
{
    /// <summary>Stopped after max_skips skipped batches in a row.</summary>
    public bool Diverged { get; init; }
}

/// <summary>Runs pretraining from a config and a corpus.</summary>
public sealed class Pretrainer
{
    private readonly PretrainConfig _cfg;
    private readonly CorpusTokenizer _tok;
    private readonly int[] _train, _val;
    private readonly double _bytesPerToken;

    /// <summary>The model being trained.</summary>
    public DecoderModel Model { get; }
    /// <summary>Average UTF-8 bytes per token of the corpus (converts loss per token into bits per byte).</summary>
    public double BytesPerToken => _bytesPerToken;

    /// <summary>The tokenizer of the corpus.</summary>
    public CorpusTokenizer Tokenizer => _tok;

    /// <summary>Trains on a text corpus, tokenized by a tokenizer built from it (config.tokenizer: char or bpe).</summary>
    public Pretrainer(PretrainConfig config, string corpus) : this(config, Prepare(config, corpus)) { }

    private static (CorpusTokenizer Tok, int[] Ids, double BytesPerToken) Prepare(PretrainConfig config, string corpus)
    {
        config.Validate();
        if (corpus.Length < 1000) throw new ArgumentException($"Pretrainer: the corpus has {corpus.Length} characters; at least 1000 are needed.");
        var tok = CorpusTokenizer.Train(config.Tokenizer, corpus, config.BpeVocabSize);
        var ids = tok.Encode(corpus);
        return (tok, ids, System.Text.Encoding.UTF8.GetByteCount(corpus) / (double)ids.Length);
    }

    /// <summary>
    /// Trains on token shards written by `sharplm data tokenize` (a folder with shard_00000.json), with the
    /// tokenizer they were made with (<paramref name="tokenizerPath"/>: tokenizer.json, GGUF, vocab.json folder…).
    /// </summary>
    public static Pretrainer FromShards(PretrainConfig config, string shardDir, string tokenizerPath)
    {
        var reader = new SharpLM.Data.Shards.TokenShardReader(shardDir);
        var tok = CorpusTokenizer.FromTokenizer(SharpLM.Text.Formats.TokenizerLoader.Load(tokenizerPath), tokenizerPath);
        var ids = reader.Tokens.ToArray();
        int max = ids.Max();
        if (max >= tok.VocabSize) throw new ArgumentException($"Pretrainer: shards in {shardDir} hold id {max}, outside the vocabulary of {tokenizerPath} ({tok.VocabSize}).");
        // Bytes per token from a sample decode (the shards do not keep the text).
        var sample = ids[..Math.Min(ids.Length, 20000)];
        double bpt = System.Text.Encoding.UTF8.GetByteCount(tok.Decode(sample)) / (double)sample.Length;
        return new Pretrainer(config, (tok, ids, bpt));
    }

    private Pretrainer(PretrainConfig config, (CorpusTokenizer Tok, int[] Ids, double BytesPerToken) data)
    {
        _cfg = config.Validate();
        _tok = data.Tok;
        var ids = data.Ids;
        _bytesPerToken = data.BytesPerToken;
        int nVal = Math.Max(config.Context + 2, (int)(ids.Length * config.ValFraction));
        _train = ids[..^nVal];
        _val = ids[^nVal..];
        using var _ = TensorScope.Outside();
        Model = config.InitFrom is null ? new DecoderModel(ModelConfig(config, _tok.VocabSize), config.Seed) : InitFrom(config, _tok.VocabSize);
    }

    /// <summary>
    /// The model of <see cref="PretrainConfig.InitFrom"/> (any file ModelFile.Load opens): the file's config wins.
    /// Its vocabulary must be the tokenizer's, its context at least the run's, and every shape field the model
    /// section sets (or its preset implies) must agree with it; dropout, attention_dropout and
    /// activation_checkpointing come from the section (dropout and checkpointing default to off).
    /// </summary>
    private static DecoderModel InitFrom(PretrainConfig c, int vocab)
    {
        using var loaded = ModelFile.Load(c.InitFrom!);
        var file = loaded.Config;
        if (file.VocabSize != vocab)
            throw new ArgumentException($"PretrainConfig.init_from: {c.InitFrom} has a vocabulary of {file.VocabSize}; the run's tokenizer has {vocab}.");
        if (file.MaxPositions < c.Context)
            throw new ArgumentException($"PretrainConfig.init_from: {c.InitFrom} has a context of {file.MaxPositions}; the run's context is {c.Context}.");
        var m = c.Model;
        var wanted = m.Over(m.Preset is null ? file : m.Base with { VocabSize = file.VocabSize });
        foreach (var (key, want, has) in ModelSectionJson.ShapeDifferences(wanted, file))
            throw new ArgumentException($"PretrainConfig.model.{key}: the model section says {want} but init_from {c.InitFrom} has {has}.");
        var model = new DecoderModel(file with
        {
            Dropout = m.Dropout ?? 0f, AttentionDropout = m.AttentionDropout ?? file.AttentionDropout, ActivationCheckpointing = m.ActivationCheckpointing ?? false,
        }, c.Seed);
        using (TensorScope.Begin()) model.LoadStateDict(loaded.StateDict());
        return model;
    }

    /// <summary>The decoder configuration a pretraining config describes (its model section, the tokenizer's vocabulary).</summary>
    public static DecoderConfig ModelConfig(PretrainConfig c, int vocab) => c.Model.Resolve(vocab);

    /// <summary>The Trainer settings a pretraining config describes.</summary>
    public static TrainerOptions TrainerOptions(PretrainConfig c) => new()
    {
        Steps = c.Steps, GradAccum = c.GradAccum, Optimizer = c.Optimizer, Lr = c.Lr, MinLrRatio = c.MinLrRatio, WarmupSteps = c.WarmupSteps,
        Schedule = c.Schedule, WeightDecay = c.WeightDecay, Beta1 = c.Beta1, Beta2 = c.Beta2, Clip = c.Clip, SpikeFactor = c.SpikeFactor, MaxConsecutiveSkips = c.MaxSkips,
        EvalEvery = c.EvalEvery, CheckpointEvery = c.CheckpointEvery, MaxMinutes = c.MaxMinutes, Freeze = c.Freeze,
    };

    /// <summary>Trains; <paramref name="sample"/> (optional) turns the model into a text sample at each evaluation.</summary>
    /// <paramref name="resume"/> continues out_dir/checkpoint (which must exist); without it an existing checkpoint is an
    /// error unless <paramref name="overwrite"/>. A run holds out_dir/run.lock (with its pid) while it trains.</summary>
    public PretrainResult Run(IProgress<TrainProgress>? progress = null, Func<DecoderModel, CorpusTokenizer, string>? sample = null, CancellationToken cancel = default,
                              bool resume = false, bool overwrite = false)
    {
        var c = _cfg;
        if (c.Threads > 0) WorkerPool.SetThreads(c.Threads);
        Directory.CreateDirectory(c.OutDir);
        using var runLock = RunLock.Acquire(c.OutDir);
        var existing = new CheckpointDirectory(Path.Combine(c.OutDir, "checkpoint"));
        if (resume && !existing.Exists)
            throw new InvalidOperationException($"{existing.Path}: no checkpoint to resume from; run without --resume to start a new run.");
        if (!resume && !overwrite && existing.Exists)
            throw new InvalidOperationException($"{existing.Path}: a checkpoint of an earlier run is here; pass --resume to continue it, or choose another out_dir.");
        var sampler = new TokenWindowSampler(_train, c.BatchSize, c.Context, c.Seed ^ 0xda7a);
        using var trainer = new Trainer<DecoderModel, (Tensor X, Tensor Y)>(Model, sampler, new CausalLmLoss(), TrainerOptions(c));
        using var store = new RunStore(Path.Combine(c.OutDir, "runs.sqlite"));
        var ckpt = new CheckpointDirectory(Path.Combine(c.OutDir, "checkpoint"));
        long step = 0, runId;
        if (resume && ckpt.Exists)
        {
            var state = ckpt.Load(Model, trainer.Optimizer, _tok);
            step = state.Step; runId = state.RunId; sampler.State = state.SamplerState; Model.DropoutRngState = state.DropoutState;
            progress?.Report(new TrainProgress(step, c.Steps, float.NaN, 0, 0, 0, TimeSpan.Zero, null, $"resumed from step {step}"));
            store.MarkRunning(runId);
        }
        else runId = store.StartRun(Path.GetFileName(Path.GetFullPath(c.OutDir)), c.ToJson());

        trainer.Callbacks.Add(new PretrainEvaluation(this, sample));
        trainer.Callbacks.Add(new RunStoreCallback(store, runId));
        trainer.Callbacks.Add(new CheckpointCallback(s => ckpt.Save(Model, trainer.Optimizer, _tok, new TrainerState(s, runId, sampler.State, Model.DropoutRngState)), c.CheckpointEvery, c.Steps));
        if (progress is not null) trainer.Callbacks.Add(new ProgressCallback(progress));
        var outcome = trainer.Run(step, cancel);

        store.EndRun(runId, outcome.Cancelled ? "cancelled" : outcome.Diverged ? "diverged" : "finished");
        var files = new List<string> { store.Path, ckpt.Path };
        if (outcome.StepsDone > 0)
        {
            files.Add(RunPlots.Save(store, runId, ["train/loss", "val/loss"], Path.Combine(c.OutDir, "loss.png"), "loss"));
            files.Add(RunPlots.Save(store, runId, ["lr"], Path.Combine(c.OutDir, "lr.png"), "learning rate"));
            files.Add(RunSummary.Write(store, runId, Path.Combine(c.OutDir, "summary.html"), ["loss.png", "lr.png"]));
        }
        return new PretrainResult(runId, c.OutDir, outcome.StepsDone, outcome.LastValLoss, outcome.BestValLoss, files, outcome.Cancelled) { Diverged = outcome.Diverged };
    }

    /// <summary>Mean validation loss over a fixed set of windows (same windows at every evaluation).</summary>
    public float Evaluate()
    {
        var c = _cfg;
        var val = new TokenWindowSampler(_val, c.BatchSize, c.Context, 12345);
        Model.Eval();
        double sum = 0;
        using (GradMode.NoGrad())
            for (int i = 0; i < c.EvalBatches; i++)
            {
                using var scope = TensorScope.Begin();
                var (x, y) = val.Next();
                sum += DecoderModel.Loss(Model.Forward(x), y).Item();
            }
        Model.Train();
        return (float)(sum / c.EvalBatches);
    }
}
