// Finetuner: a `sharplm finetune` run as one composition of the shared pieces — the model opened from init_from
// (ModelFile) with its tokenizer (ModelTokenizer), the chat template (SftTemplate), the sessions (SftData), the
// packed batch source (SftBatchSource), the objective (SftLoss), a PEFT adapter attached through PeftMethods when
// the method is not full, and the one Trainer with its callbacks (validation loss, SQLite metrics, checkpoints,
// progress). Output: for full fine-tuning a model folder (config.json + model.safetensors + tokenizer.json +
// tokenizer_config.json with the chat template); for PEFT an adapter folder in PEFT's layout.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Formats;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Threading;
using SharpLM.Text.Formats;
using SharpLM.Training.Checkpoints;
using SharpLM.Training.Data;
using SharpLM.Training.Pretraining;
using SharpLM.Training.Runs;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Sft;

/// <summary>What a fine-tuning run produced and measured.</summary>
public sealed record FinetuneResult(long RunId, string OutDir, string Output, long StepsDone, float FinalValLoss, float BestValLoss,
    long TrainableParameters, long TotalParameters, long PeakWorkingSetBytes, double TokensPerSecond, IReadOnlyList<string> Files, bool Cancelled);

/// <summary>Runs supervised fine-tuning from a <see cref="FinetuneConfig"/>.</summary>
public sealed class Finetuner : IDisposable
{
    private readonly FinetuneConfig _cfg;
    private readonly IReadOnlyList<SftExample> _val;
    private readonly List<IReadOnlyList<SharpLM.Text.ChatTemplates.ChatMessage>> _valConversations = new();

    /// <summary>The held-out conversations as read (for scoring generated answers); only from val_data files.</summary>
    public IReadOnlyList<IReadOnlyList<SharpLM.Text.ChatTemplates.ChatMessage>> ValSource => _valConversations;
    private readonly TokenWindowSampler? _pretrain;

    public DecoderModel Model { get; }
    public ModelTokenizer Tokenizer { get; }
    public SftTemplate Template { get; }
    public SftEncoder Encoder { get; }
    public IPeftAdapter? Adapter { get; }
    /// <summary>The training sessions (and what was skipped or cut).</summary>
    public SftData Data { get; }
    /// <summary>Tokens per row.</summary>
    public int Context { get; }

    public Finetuner(FinetuneConfig config)
    {
        _cfg = config.Validate();
        using var _ = TensorScope.Outside();
        ModelFile.Detect(config.InitFrom!);   // a missing model is named before its tokenizer
        Tokenizer = ModelTokenizer.For(config.InitFrom!);
        Template = SftTemplate.Resolve(config.Template, Tokenizer, config.InitFrom!);
        Model = ModelFile.Load(config.InitFrom!);
        try
        {
            if (Model.Config.VocabSize < Tokenizer.VocabSize)
                throw new ArgumentException($"{config.InitFrom}: the tokenizer has {Tokenizer.VocabSize} tokens but the model's vocabulary is {Model.Config.VocabSize}.");
            Context = Math.Min(config.Context ?? Math.Min(Model.Config.MaxPositions, 1024), Model.Config.MaxPositions);
            Encoder = new SftEncoder(SftTokenizer.From(Tokenizer), Template.Template, config.EndOfTurn);
            var all = SftData.Load(config.Data.Select(d => (d, config.Format)), Encoder, Context + 1);
            if (config.ValData.Length > 0)
            {
                Data = all;
                foreach (var v in config.ValData) _valConversations.AddRange(SftDataReader.Read(v, config.Format));
                _val = SftData.Encode(_valConversations, Encoder, Context + 1).Examples;
            }
            else
            {
                int nVal = (int)Math.Round(all.Examples.Count * config.ValFraction);
                var order = Shuffled(all.Examples.Count, config.Seed ^ 0x7a1);
                _val = order.Take(nVal).Select(i => all.Examples[i]).ToList();
                Data = all with { Examples = order.Skip(nVal).Order().Select(i => all.Examples[i]).ToList() };
            }
            if (Data.Examples.Count == 0) throw new ArgumentException($"data: no session with an assistant turn in {string.Join(", ", config.Data)}.");
            if (config.AuxLmWeight > 0) _pretrain = new TokenWindowSampler(PretrainTokens(config.PretrainData!), config.BatchSize, Context, config.Seed ^ 0xa0c);
            if (config.Method != FinetuneMethod.Full)
                Adapter = PeftMethods.Attach(PeftMethodConfig.For(config.Method, config.Peft), Model, "default", config.Seed);
        }
        catch { Model.Dispose(); throw; }
    }

    private static int[] Shuffled(int n, ulong seed)
    {
        var g = new SharpLM.Tensors.Rng.Generator(seed);
        var a = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = g.NextInt(i + 1); (a[i], a[j]) = (a[j], a[i]); }
        return a;
    }

    /// <summary>The pretraining tokens of the auxiliary loss: a shard folder, or a text file encoded with the model's tokenizer.</summary>
    private int[] PretrainTokens(string path)
    {
        if (Directory.Exists(path)) return new SharpLM.Data.Shards.TokenShardReader(path).Tokens.ToArray();
        if (!File.Exists(path)) throw new FileNotFoundException($"pretrain_data: {path} does not exist (a UTF-8 text file or a token-shard folder).", path);
        return Tokenizer.Encode(File.ReadAllText(path));
    }

    /// <summary>The tensors trained: the adapter's (named as PEFT names them) or every model parameter.</summary>
    public IReadOnlyList<(string Name, Tensor Param)> Trainables()
    {
        if (Adapter is null) return Model.NamedParameters().ToList();
        var mine = new HashSet<Tensor>(Adapter.Parameters, ReferenceEqualityComparer.Instance);
        return Adapter.StateDict().Where(kv => mine.Contains(kv.Value)).Select(kv => (kv.Key, kv.Value)).ToList();
    }

    /// <summary>Mean per-token loss on the held-out sessions (fixed rows; NaN without held-out data).</summary>
    public float Evaluate()
    {
        if (_val.Count == 0) return float.NaN;
        var source = new SftBatchSource(_val, _cfg.BatchSize, Context, _cfg.Pack, 12345);
        var loss = new SftLoss(LossNormalization.Token);
        bool wasTraining = Model.Training;
        Model.Eval();
        double sum = 0; long count = 0;
        using (GradMode.NoGrad())
            for (int i = 0; i < _cfg.EvalBatches; i++)
            {
                using var scope = TensorScope.Begin();
                var b = source.Next();
                long n = loss.Count(b);
                sum += loss.Loss(Model, b).Item() * n; count += n;
            }
        if (wasTraining) Model.Train();
        return (float)(sum / count);
    }

    public FinetuneResult Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default, bool resume = false)
    {
        var c = _cfg;
        if (c.Threads > 0) WorkerPool.SetThreads(c.Threads);
        Directory.CreateDirectory(c.OutDir);
        var source = new SftBatchSource(Data.Examples, c.BatchSize, Context, c.Pack, c.Seed, _pretrain, c.MixRatio);
        var trainables = Trainables();
        using var trainer = new Trainer<DecoderModel, SftBatch>(Model, source, new SftLoss(c.LossNormalization, c.NeftuneAlpha, c.AuxLmWeight), c.Train, trainables);
        using var store = new RunStore(Path.Combine(c.OutDir, "runs.sqlite"));
        var ckpt = new SftCheckpoint(Path.Combine(c.OutDir, "checkpoint"));
        long step = 0, runId;
        if (resume && ckpt.Exists)
        {
            var st = ckpt.Load(Model, Adapter, trainer.Optimizer);
            step = st.Step; runId = st.RunId; source.State = st.SamplerState; Model.DropoutRngState = st.DropoutState;
            progress?.Report(new TrainProgress(step, c.Train.Steps, float.NaN, 0, 0, 0, TimeSpan.Zero, null, $"resumed from step {step}"));
        }
        else runId = store.StartRun(Path.GetFileName(Path.GetFullPath(c.OutDir)), c.ToJson());

        var clock = Stopwatch.StartNew();
        trainer.Callbacks.Add(new SftEvaluation(this));
        trainer.Callbacks.Add(new PeakMemory());
        trainer.Callbacks.Add(new RunStoreCallback(store, runId));
        trainer.Callbacks.Add(new CheckpointCallback(s => ckpt.Save(Model, Adapter, trainer.Optimizer,
            new TrainerState(s, runId, source.State, Model.DropoutRngState)), c.Train.CheckpointEvery, c.Train.Steps));
        if (progress is not null) trainer.Callbacks.Add(new ProgressCallback(progress));
        var outcome = trainer.Run(step, cancel);
        double seconds = clock.Elapsed.TotalSeconds;

        store.EndRun(runId, outcome.Cancelled ? "cancelled" : "finished");
        string output = WriteOutput();
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        long trainable = trainables.Sum(p => p.Param.Numel), total = Model.ParameterCount;
        var files = new List<string> { output, store.Path, ckpt.Path };
        if (outcome.StepsDone > step)
        {
            files.Add(RunPlots.Save(store, runId, ["train/loss", "val/loss"], Path.Combine(c.OutDir, "loss.png"), "SFT loss (assistant tokens)"));
            files.Add(RunPlots.Save(store, runId, ["lr"], Path.Combine(c.OutDir, "lr.png"), "learning rate"));
            files.Add(RunSummary.Write(store, runId, Path.Combine(c.OutDir, "summary.html"), ["loss.png", "lr.png"]));
        }
        return new FinetuneResult(runId, c.OutDir, output, outcome.StepsDone, outcome.LastValLoss, outcome.BestValLoss, trainable, total, peak,
            seconds > 0 ? source.TokensServed / seconds : 0, files, outcome.Cancelled);
    }

    /// <summary>Writes the fine-tuned model folder (full) or the adapter folder (PEFT); returns its path.</summary>
    private string WriteOutput()
    {
        if (Adapter is not null)
        {
            string dir = Path.Combine(_cfg.OutDir, "adapter");
            CheckpointDirectory.ReplaceFolder(dir, tmp => PeftAdapterFile.Save(tmp, Adapter));
            return dir;
        }
        string model = Path.Combine(_cfg.OutDir, "model");
        CheckpointDirectory.ReplaceFolder(model, tmp =>
        {
            ModelFile.Save(Model, tmp, ModelFileFormat.HfDirectory);
            string src = ModelVocabulary.TokenizerJsonPath(ModelPath.Resolve(_cfg.InitFrom!));
            if (File.Exists(src) && !GgufLike(_cfg.InitFrom!)) File.Copy(src, Path.Combine(tmp, "tokenizer.json"));
            else if (Tokenizer.Tokenizer is { } tok) HfTokenizerJsonWriter.Write(tok, Path.Combine(tmp, "tokenizer.json"));
            if (Template.JinjaSource is { } jinja)
            {
                var cfg = new JsonObject { ["chat_template"] = jinja };
                if (Tokenizer.Tokenizer is { } t)
                {
                    if (Tokenizer.Specials.Bos is int b) cfg["bos_token"] = t.IdToToken(b);
                    if (Tokenizer.Specials.Eos is int e) cfg["eos_token"] = t.IdToToken(e);
                }
                File.WriteAllText(Path.Combine(tmp, "tokenizer_config.json"), cfg.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
        });
        return model;
    }

    private static bool GgufLike(string path) => File.Exists(path) && SharpLM.Formats.Gguf.GgufFile.IsGguf(path);

    public void Dispose() => Model.Dispose();

    /// <summary>Validation loss at the Trainer's evaluation steps.</summary>
    private sealed class SftEvaluation(Finetuner f) : ITrainerCallback
    {
        public void OnEvaluate(StepInfo step)
        {
            float v = f.Evaluate();
            if (float.IsNaN(v)) return;
            step.Metrics["val/loss"] = v;
            step.Metrics["val/ppl"] = Math.Exp(v);
        }
    }

    /// <summary>Records the process's peak working set with every step.</summary>
    private sealed class PeakMemory : ITrainerCallback
    {
        public void OnStepEnd(StepInfo step) { if (step.Kind == StepKind.Train) step.Metrics["peak_working_set_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0; }
    }
}
