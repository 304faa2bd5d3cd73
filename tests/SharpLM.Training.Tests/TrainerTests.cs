// The generic Trainer: 4 micro-batches of 2 with accumulation 4 reach the same parameters as 1 batch of 8;
// init_from starts a run from a saved model's weights (its first loss is that model's loss on the batch);
// config kinds are enums whose unknown names fail naming the field.
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;
using SharpLM.Training.Data;
using SharpLM.Training.Pretraining;
using SharpLM.Training.Schedules;
using SharpLM.Training.Trainers;
using Xunit;

namespace SharpLM.Training.Tests;

public class TrainerTests
{
    /// <summary>Fixed rows handed out <paramref name="rowsPerBatch"/> at a time, in order.</summary>
    private sealed class RowSource(int[][] x, int[][] y, int rowsPerBatch) : IBatchSource<(Tensor X, Tensor Y)>
    {
        private int _next;
        public ulong[] State { get => [(ulong)_next]; set => _next = (int)value[0]; }

        public (Tensor X, Tensor Y) Next()
        {
            int t = x[0].Length;
            var rows = Enumerable.Range(_next, rowsPerBatch).Select(i => i % x.Length).ToArray();
            _next += rowsPerBatch;
            return (Tensor.FromArray(rows.SelectMany(i => x[i]).ToArray(), rowsPerBatch, t), Tensor.FromArray(rows.SelectMany(i => y[i]).ToArray(), rowsPerBatch, t));
        }
    }

    private static Dictionary<string, float[]> Train(int rowsPerBatch, int accum, int[][] x, int[][] y, int steps)
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama, seed: 11);
        var options = new TrainerOptions { Steps = steps, GradAccum = accum, Lr = 1e-2f, WarmupSteps = 1, SpikeFactor = 1e9f, EvalEvery = 1000, CheckpointEvery = 1000 };
        var trainer = new Trainer<DecoderModel, (Tensor X, Tensor Y)>(model, new RowSource(x, y, rowsPerBatch), new CausalLmLoss(), options);
        var outcome = trainer.Run();
        Assert.Equal(steps, outcome.StepsDone);
        return model.NamedParameters().ToDictionary(p => p.Name, p => p.Param.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]  // some targets ignored (−100): micro-batches count different token numbers and are weighted by them
    public void AccumulatingFourMicroBatchesOfTwoEqualsOneBatchOfEight(bool ragged)
    {
        const int steps = 4, t = 12;
        var g = new Generator(5);
        int[][] x = new int[steps * 8][], y = new int[steps * 8][];
        for (int i = 0; i < x.Length; i++)
        {
            var row = Enumerable.Range(0, t + 1).Select(_ => g.NextInt(64)).ToArray();
            x[i] = row[..t]; y[i] = row[1..];
            if (ragged && i % 3 == 0) for (int j = 0; j < 2 + i % 7; j++) y[i][j] = -100;
        }
        var big = Train(8, 1, x, y, steps);
        var micro = Train(2, 4, x, y, steps);
        var initial = new DecoderModel(DecoderPresets.TinyLlama, seed: 11).NamedParameters().ToDictionary(p => p.Name, p => p.Param.ToArray());
        foreach (var (name, w) in big)
        {
            float diff = w.Zip(micro[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(diff <= 1e-5f, $"{name}: accumulated and large-batch weights differ by {diff}");
            Assert.True(w.Zip(initial[name], (a, b) => Math.Abs(a - b)).Max() > 1e-4f, $"{name} did not move");
        }
    }

    private static string Corpus() => SyntheticCorpus.Generate(20_000, 9);

    private static PretrainConfig Tiny(string dir) => new()
    {
        Model = new() { Dim = 32, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 64, MaxPositions = 32 }, BatchSize = 4, Steps = 3, Lr = 1e-2f,
        WarmupSteps = 1, EvalEvery = 3, EvalBatches = 2, CheckpointEvery = 3, OutDir = dir,
    };

    [Fact]
    public void InitFromStartsAtTheSavedModelsLoss()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sharplm-initfrom-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = new Pretrainer(Tiny(Path.Combine(dir, "a")), Corpus());
            first.Run();
            string saved = Path.Combine(dir, "saved");
            ModelFile.Save(first.Model, saved, ModelFileFormat.HfDirectory);

            var cfg = Tiny(Path.Combine(dir, "b")) with { InitFrom = saved, Seed = 4, Steps = 1 };
            var second = new Pretrainer(cfg, Corpus());
            Assert.Equal(first.Evaluate(), second.Evaluate());          // same weights, same validation windows

            // The first training batch of the new run, drawn as the run draws it, scored by the saved model.
            var ids = second.Tokenizer.Encode(Corpus());
            int nVal = Math.Max(cfg.Context + 2, (int)(ids.Length * cfg.ValFraction));
            var (x, y) = new TokenWindowSampler(ids[..^nVal], cfg.BatchSize, cfg.Context, cfg.Seed ^ 0xda7a).Next();
            float expected;
            using (var loaded = ModelFile.Load(saved))
            using (TensorScope.Begin())
            using (GradMode.NoGrad())
                expected = DecoderModel.Loss(loaded.Forward(x), y).Item();
            var losses = new List<float>();
            second.Run(new Sync(p => losses.Add(p.Loss)));
            Assert.True(Math.Abs(expected - losses[0]) < 1e-5f, $"first loss {losses[0]} vs the saved model's {expected}");

            // A model whose vocabulary is not the tokenizer's is refused, naming the field.
            string other = Path.Combine(dir, "vocab64");
            using (var m = new DecoderModel(DecoderPresets.TinyLlama)) ModelFile.Save(m, other, ModelFileFormat.HfDirectory);
            var e = Assert.Throws<ArgumentException>(() => new Pretrainer(Tiny(Path.Combine(dir, "c")) with { InitFrom = other }, Corpus()));
            Assert.Contains("init_from", e.Message);
            Assert.Contains("vocabulary of 64", e.Message);

            // A model section that disagrees with the file on shape is refused, naming the field; training switches may differ.
            var shape = Assert.Throws<ArgumentException>(() => new Pretrainer(cfg with { Model = cfg.Model with { FfnDim = 128 } }, Corpus()));
            Assert.Contains("model.ffn_dim", shape.Message);
            Assert.Contains("128", shape.Message);
            Assert.Contains("model.positions", Assert.Throws<ArgumentException>(() => new Pretrainer(cfg with { Model = new() { Positions = PositionKind.Learned, MaxPositions = 32 } }, Corpus())).Message);
            var dropped = new Pretrainer(cfg with { Model = new() { MaxPositions = 32, Dropout = 0.2f, ActivationCheckpointing = true } }, Corpus());
            var dc = dropped.Model.Config;
            Assert.Equal((0.2f, true, 32, 64), (dc.Dropout, dc.ActivationCheckpointing, dc.Dim, dc.FfnDim));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    [Fact]
    public void KindsAreEnumsAndUnknownNamesFailNamingTheField()
    {
        string file = Path.Combine(Path.GetTempPath(), "sharplm-cfg-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(file, """{ "steps": 5, "optimizer": "adamx" }""");
            var e = Assert.Throws<FormatException>(() => PretrainConfig.Load(file));
            Assert.Contains("optimizer", e.Message);
            Assert.Contains("'adamx'", e.Message);
            Assert.Contains("adamw, sgd", e.Message);
            Assert.Contains("tokenizer", Assert.Throws<FormatException>(() => new PretrainConfig().With(["tokenizer=wordpiece"])).Message);

            var c = new PretrainConfig().With(["optimizer=sgd", "schedule=wsd", "tokenizer=bpe"]);
            Assert.Equal((OptimizerKind.Sgd, DecayKind.WarmupStableDecay, TokenizerKind.Bpe), (c.Optimizer, c.Schedule, c.Tokenizer));
            Assert.Contains("\"optimizer\": \"sgd\"", c.ToJson());
            Assert.Contains("\"schedule\": \"wsd\"", c.ToJson());

            // The committed config (flat form, string kinds) still loads.
            var shipped = PretrainConfig.Load(Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "configs", "tinyshakespeare-char.json"));
            Assert.Equal((DecayKind.Cosine, OptimizerKind.AdamW, 256), (shipped.Schedule, shipped.Optimizer, shipped.Model.Dim));
        }
        finally { File.Delete(file); }
    }

    private sealed class Sync(Action<TrainProgress> f) : IProgress<TrainProgress> { public void Report(TrainProgress v) => f(v); }
}
