// Pretrainer: the pretraining loop — character-level tokenization of a corpus, a LLaMA-style decoder,
// AdamW with decay/no-decay groups, warmup + decay schedule, gradient accumulation, global-norm clipping,
// loss-spike/NaN batch skipping, periodic validation (loss, perplexity, bits per character), metrics in the
// SQLite run store, PNG curves, atomic checkpoints and exact resume. Progress goes to an IProgress callback;
// cancellation stops after the current step and still writes a checkpoint.
using System.Diagnostics;
using SharpLM.Models.Transformer;
using SharpLM.Training.Checkpoints;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Threading;
using SharpLM.Training.Data;
using SharpLM.Training.Optim;
using SharpLM.Training.Runs;
using SharpLM.Training.Schedules;

namespace SharpLM.Training.Pretraining;

/// <summary>One progress report.</summary>
public sealed record TrainProgress(long Step, long TotalSteps, float Loss, float Lr, float GradNorm, double TokensPerSecond, TimeSpan Eta, float? ValLoss, string? Event);

/// <summary>What a finished (or cancelled) run produced.</summary>
public sealed record PretrainResult(long RunId, string OutDir, long StepsDone, float FinalValLoss, float BestValLoss, IReadOnlyList<string> Files, bool Cancelled);

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
        Model = new DecoderModel(ModelConfig(config, _tok.VocabSize), config.Seed);
    }

    /// <summary>The decoder configuration a pretraining config describes.</summary>
    public static DecoderConfig ModelConfig(PretrainConfig c, int vocab) => new DecoderConfig
    {
        Family = ModelFamily.Llama, VocabSize = vocab, Dim = c.Dim, Layers = c.Layers, Heads = c.Heads, KvHeads = c.KvHeads,
        FfnDim = c.FfnDim, MaxPositions = c.Context, Dropout = c.Dropout, TiedEmbeddings = false, ActivationCheckpointing = c.ActivationCheckpointing,
    }.Validate();

    /// <summary>Trains; <paramref name="sample"/> (optional) turns the model into a text sample at each evaluation.</summary>
    public PretrainResult Run(IProgress<TrainProgress>? progress = null, Func<DecoderModel, CorpusTokenizer, string>? sample = null, CancellationToken cancel = default, bool resume = false)
    {
        var c = _cfg;
        if (c.Threads > 0) WorkerPool.SetThreads(c.Threads);
        Directory.CreateDirectory(c.OutDir);
        var named = Model.NamedParameters().ToList(); // walked once, not per step
        var parameters = named.Select(p => p.Param).ToList();
        foreach (var f in c.Freeze)
            if (!named.Any(p => p.Name.StartsWith(f, StringComparison.Ordinal)))
                throw new ArgumentException($"PretrainConfig.freeze: no parameter name starts with '{f}'.");
        foreach (var (_, p) in named.Where(p => c.Freeze.Any(f => p.Name.StartsWith(f, StringComparison.Ordinal)))) p.RequiresGrad = false;
        var trainable = named.Where(p => p.Param.RequiresGrad);
        var groups = ParamGroup.DecayMatricesOnly(trainable, c.WeightDecay);
        IOptimizer opt = c.Optimizer == "sgd" ? new Sgd(groups, momentum: c.Beta1) : new AdamW(groups, c.Beta1, c.Beta2);
        var schedule = new LrSchedule(c.Lr, c.WarmupSteps, c.Steps, c.Schedule switch
        {
            "linear" => DecayKind.Linear, "constant" => DecayKind.Constant, "wsd" => DecayKind.WarmupStableDecay, _ => DecayKind.Cosine,
        }, c.MinLrRatio);
        var sampler = new TokenWindowSampler(_train, c.BatchSize, c.Context, c.Seed ^ 0xda7a);
        using var store = new RunStore(Path.Combine(c.OutDir, "runs.sqlite"));
        var ckpt = new CheckpointDirectory(Path.Combine(c.OutDir, "checkpoint"));
        long step = 0, runId;
        if (resume && ckpt.Exists)
        {
            var state = ckpt.Load(Model, opt, _tok);
            step = state.Step; runId = state.RunId; sampler.State = state.SamplerState; Model.DropoutRngState = state.DropoutState;
            progress?.Report(new TrainProgress(step, c.Steps, float.NaN, 0, 0, 0, TimeSpan.Zero, null, $"resumed from step {step}"));
        }
        else runId = store.StartRun(Path.GetFileName(Path.GetFullPath(c.OutDir)), c.ToJson());

        float running = float.NaN, bestVal = float.PositiveInfinity, lastVal = float.NaN;
        var clock = Stopwatch.StartNew();
        long tokensPerStep = (long)c.BatchSize * c.Context * c.GradAccum, stepsThisSession = 0;
        bool cancelled = false;
        Model.Train();
        bool outOfTime = false;
        while (step < c.Steps)
        {
            if (cancel.IsCancellationRequested) { cancelled = true; break; }
            if (c.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= c.MaxMinutes) { outOfTime = true; break; }
            var sw = Stopwatch.StartNew();
            float lr = schedule.At(step), lossSum = 0, norm;
            using (var scope = TensorScope.Begin())
            {
                opt.ZeroGrad();
                for (int micro = 0; micro < c.GradAccum; micro++)
                {
                    var (x, y) = sampler.Next();
                    var loss = DecoderModel.Loss(Model.Forward(x), y);
                    lossSum += loss.Item();
                    (c.GradAccum == 1 ? loss : Ops.MulScalar(loss, 1f / c.GradAccum)).Backward();
                }
            }
            float stepLoss = lossSum / c.GradAccum;
            string? evt = null;
            bool spike = !float.IsFinite(stepLoss) || (!float.IsNaN(running) && stepLoss > c.SpikeFactor * running);
            if (spike)
            {
                opt.ZeroGrad(); // skip the update; the batch is logged as skipped
                norm = float.NaN;
                evt = $"skipped batch at step {step}: loss {stepLoss:G4} (running mean {running:G4})";
            }
            else
            {
                norm = GradClip.ClipGlobalNorm(parameters, c.Clip);
                opt.Step(lr);
                running = float.IsNaN(running) ? stepLoss : 0.95f * running + 0.05f * stepLoss;
            }
            step++; stepsThisSession++;
            double tps = tokensPerStep / sw.Elapsed.TotalSeconds;
            var metrics = new Dictionary<string, double> { ["train/loss"] = stepLoss, ["lr"] = lr, ["tokens_per_s"] = tps };
            if (!spike) metrics["grad_norm"] = norm; else metrics["skipped"] = 1;
            float? val = null;
            if (step % c.EvalEvery == 0 || step == c.Steps)
            {
                val = lastVal = Evaluate();
                bestVal = Math.Min(bestVal, lastVal);
                metrics["val/loss"] = lastVal;
                metrics["val/ppl"] = Math.Exp(lastVal);
                metrics["val/bpc"] = lastVal / Math.Log(2);
                metrics["val/bpb"] = lastVal / Math.Log(2) / _bytesPerToken; // bits per UTF-8 byte, comparable across tokenizers
                if (sample is not null) { Model.Eval(); evt = "sample: " + sample(Model, _tok); Model.Train(); }
            }
            store.Log(runId, step, metrics);
            if (step % c.CheckpointEvery == 0 || step == c.Steps) ckpt.Save(Model, opt, _tok, new TrainerState(step, runId, sampler.State, Model.DropoutRngState));
            var elapsed = clock.Elapsed;
            var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / stepsThisSession * (c.Steps - step));
            progress?.Report(new TrainProgress(step, c.Steps, stepLoss, lr, norm, tps, eta, val, evt));
        }
        if (outOfTime && step % c.EvalEvery != 0)
        {
            lastVal = Evaluate();
            bestVal = Math.Min(bestVal, lastVal);
            store.Log(runId, step, new Dictionary<string, double> { ["val/loss"] = lastVal, ["val/ppl"] = Math.Exp(lastVal), ["val/bpc"] = lastVal / Math.Log(2) });
            progress?.Report(new TrainProgress(step, c.Steps, float.NaN, 0, 0, 0, TimeSpan.Zero, lastVal, $"time budget of {c.MaxMinutes} min reached at step {step}"));
        }
        if (cancelled || outOfTime) ckpt.Save(Model, opt, _tok, new TrainerState(step, runId, sampler.State, Model.DropoutRngState));
        store.EndRun(runId, cancelled ? "cancelled" : "finished");
        var files = new List<string> { store.Path, ckpt.Path };
        if (step > 0)
        {
            files.Add(RunPlots.Save(store, runId, ["train/loss", "val/loss"], Path.Combine(c.OutDir, "loss.png"), "loss"));
            files.Add(RunPlots.Save(store, runId, ["lr"], Path.Combine(c.OutDir, "lr.png"), "learning rate"));
            files.Add(RunSummary.Write(store, runId, Path.Combine(c.OutDir, "summary.html"), ["loss.png", "lr.png"]));
        }
        return new PretrainResult(runId, c.OutDir, step, lastVal, bestVal, files, cancelled);
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
