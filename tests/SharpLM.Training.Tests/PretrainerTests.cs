// The pretraining loop: loss falls on a learnable corpus; an abrupt stop after a checkpoint followed by a
// resume reproduces the uninterrupted run's losses step for step (the kill -9 case); config overrides.
using SharpLM.Training.Pretraining;
using SharpLM.Training.Runs;
using Xunit;

namespace SharpLM.Training.Tests;

public class PretrainerTests
{
    private static string Corpus()
    {
        var words = new[] { "the cat", "a dog", "sat on", "the mat", "ran to", "the park", "and then", "slept." };
        var sb = new System.Text.StringBuilder();
        var g = new SharpLM.Tensors.Rng.Generator(3);
        while (sb.Length < 20000) sb.Append(words[g.NextInt(words.Length)]).Append(' ');
        return sb.ToString();
    }

    private static PretrainConfig Tiny(string dir) => new()
    {
        Model = new() { Dim = 32, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 64, MaxPositions = 32, Dropout = 0.1f }, BatchSize = 8, Steps = 12, Lr = 1e-2f,
        WarmupSteps = 2, EvalEvery = 6, EvalBatches = 2, CheckpointEvery = 4, OutDir = dir,
    };

    private sealed class Crash : Exception;

    [Fact]
    public void ResumeAfterAnAbruptStopReproducesTheUninterruptedRun()
    {
        string a = Dir(), b = Dir();
        try
        {
            var full = new List<float>();
            var first = new Pretrainer(Tiny(a), Corpus()).Run(new SyncProgress(p => full.Add(p.Loss)));
            Assert.Equal(12, first.StepsDone);
            Assert.True(full[^1] < full[0], $"loss did not fall: {full[0]} → {full[^1]}");

            // Second run dies abruptly at step 10 (after the step-8 checkpoint, no save on the way out).
            var part = new List<float>();
            Assert.Throws<Crash>(() => new Pretrainer(Tiny(b), Corpus()).Run(new SyncProgress(p =>
            {
                part.Add(p.Loss);
                if (p.Step == 10) throw new Crash();
            })));
            var resumed = new List<(long Step, float Loss)>();
            var r = new Pretrainer(Tiny(b), Corpus()).Run(new SyncProgress(p => { if (p.Event?.StartsWith("resumed") != true) resumed.Add((p.Step, p.Loss)); }), resume: true);
            Assert.Equal(12, r.StepsDone);
            Assert.Equal(new long[] { 9, 10, 11, 12 }, resumed.Select(x => x.Step));
            for (int i = 0; i < 4; i++) Assert.Equal(full[8 + i], resumed[i].Loss);   // bit-identical
            Assert.Equal(first.FinalValLoss, r.FinalValLoss);
            using var store = new RunStore(Path.Combine(b, "runs.sqlite"));
            Assert.Equal(12, store.Series(Assert.Single(store.Runs()).Id, "train/loss").Count);
            Assert.True(File.Exists(Path.Combine(b, "loss.png")));
            Assert.True(File.Exists(Path.Combine(b, "checkpoint", "model.safetensors")));
            Assert.True(File.Exists(Path.Combine(b, "checkpoint", "config.json")));
        }
        finally { foreach (var d in new[] { a, b }) try { Directory.Delete(d, true); } catch (IOException) { } }
    }

    [Fact]
    public void OverridesAreTypedAndUnknownKeysRejected()
    {
        var c = new PretrainConfig().With(["steps=7", "lr=0.01", "out_dir=x/y", "--batch-size=3"]);
        Assert.Equal(7, c.Steps);
        Assert.Equal(0.01f, c.Lr);
        Assert.Equal("x/y", c.OutDir);
        Assert.Equal(3, c.BatchSize);
        Assert.Contains("unknown key 'stepz'", Assert.Throws<FormatException>(() => new PretrainConfig().With(["stepz=1"])).Message);
        Assert.Throws<FormatException>(() => new PretrainConfig().With(["steps=many"]));
        Assert.Contains("schedule", Assert.Throws<FormatException>(() => new PretrainConfig().With(["schedule=exp"])).Message);
    }

    private static string Dir() => Path.Combine(Path.GetTempPath(), "sharplm-pretrain-" + Guid.NewGuid().ToString("N"));

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
    private sealed class SyncProgress(Action<TrainProgress> a) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => a(value);
    }
}

public class BpePretrainingTests
{
    [Fact]
    public void BpeRunTrainsATokenizerAndCheckpointsItAsHuggingFaceJson()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-bpe-" + Guid.NewGuid().ToString("N"));
        try
        {
            string corpus = SharpLM.Training.Data.SyntheticCorpus.Generate(30_000, 2);
            var cfg = new PretrainConfig
            {
                Tokenizer = SharpLM.Training.Data.TokenizerKind.Bpe, BpeVocabSize = 300, Model = new() { Dim = 32, Layers = 1, Heads = 2, KvHeads = 2, FfnDim = 64, MaxPositions = 32 },
                BatchSize = 4, Steps = 4, EvalEvery = 4, EvalBatches = 1, CheckpointEvery = 4, OutDir = dir,
            };
            var t = new Pretrainer(cfg, corpus);
            Assert.Equal(300, t.Tokenizer.VocabSize);
            var ids = t.Tokenizer.Encode("Once upon a time, Lily went to the park.");
            Assert.True(ids.Length < 30, $"BPE should merge: {ids.Length} tokens");
            Assert.Equal("Once upon a time, Lily went to the park.", t.Tokenizer.Decode(ids));
            var r = t.Run();
            Assert.Equal(4, r.StepsDone);
            // The checkpoint's tokenizer.json is a Hugging Face file our loader (and HF) reads back to the same ids.
            var back = SharpLM.Text.Formats.TokenizerLoader.Load(Path.Combine(dir, "checkpoint"));
            Assert.Equal(ids, back.Encode("Once upon a time, Lily went to the park."));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}

public class FreezeAndCheckpointTests
{
    [Fact]
    public void FrozenParametersStayPutAndCheckpointedTrainingMatches()
    {
        string corpus = SharpLM.Training.Data.SyntheticCorpus.Generate(20_000, 4);
        PretrainConfig Cfg(string dir, bool ckpt) => new()
        {
            Model = new() { Dim = 32, Layers = 2, Heads = 2, KvHeads = 2, FfnDim = 64, MaxPositions = 32, ActivationCheckpointing = ckpt }, BatchSize = 4, Steps = 3,
            EvalEvery = 3, EvalBatches = 1, CheckpointEvery = 3, OutDir = dir, Freeze = ["model.embed_tokens", "model.layers.0."],
        };
        string a = Path.Combine(Path.GetTempPath(), "sharplm-freeze-" + Guid.NewGuid().ToString("N")), b = a + "-ckpt";
        try
        {
            var plain = new Pretrainer(Cfg(a, false), corpus);
            var before = plain.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Param.ToArray());
            var lossesA = new List<float>();
            var r = plain.Run(new Sync(p => lossesA.Add(p.Loss)));
            foreach (var (name, p) in plain.Model.NamedParameters())
            {
                bool frozen = name.StartsWith("model.embed_tokens") || name.StartsWith("model.layers.0.");
                bool same = before[name].SequenceEqual(p.ToArray());
                Assert.True(frozen == same, $"{name}: frozen {frozen}, unchanged {same}");
            }
            Assert.True(File.Exists(Path.Combine(a, "summary.html")));
            Assert.Contains("val/loss", File.ReadAllText(Path.Combine(a, "summary.html")));
            // The same run with activation checkpointing follows the same losses.
            var lossesB = new List<float>();
            new Pretrainer(Cfg(b, true), corpus).Run(new Sync(p => lossesB.Add(p.Loss)));
            Assert.Equal(lossesA.Count, lossesB.Count);
            for (int i = 0; i < lossesA.Count; i++) Assert.True(float.IsNaN(lossesA[i]) && float.IsNaN(lossesB[i]) || Math.Abs(lossesA[i] - lossesB[i]) < 1e-5f, $"step {i}: {lossesA[i]} vs {lossesB[i]}");
            Assert.Throws<ArgumentException>(() => new Pretrainer(Cfg(a, false) with { Freeze = ["nope."] }, corpus).Run(overwrite: true)); // the folder holds run a's checkpoint: overwrite, so the freeze check is what fails
        }
        finally { foreach (var d in new[] { a, b }) try { Directory.Delete(d, true); } catch (IOException) { } }
    }

    private sealed class Sync(Action<TrainProgress> f) : IProgress<TrainProgress> { public void Report(TrainProgress v) => f(v); }
}

public class ShardPretrainingTests
{
    [Fact]
    public void TrainsFromTokenShardsWrittenByTheDataPipeline()
    {
        var gpt2 = SharpLM.TestSupport.RepoPaths.SharedData("tokenizers", "gpt2");
        var tok = SharpLM.Text.Formats.TokenizerLoader.Load(gpt2);
        var text = File.ReadAllText(SharpLM.TestSupport.RepoPaths.SharedData("corpora", "tinyshakespeare.txt"))[..40_000];
        var docs = text.Split("\n\n").Select((t, i) => new SharpLM.Data.IO.Document($"d{i}", t, "ts"));
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-shardtrain-" + Guid.NewGuid().ToString("N"));
        try
        {
            SharpLM.Data.Shards.TokenShardWriter.Write(docs, s => tok.Encode(s),
                new SharpLM.Data.Shards.ShardOptions(Path.Combine(dir, "shards"), "gpt2", tok.VocabSize, tok.TokenToId("<|endoftext|>")!.Value, TokensPerShard: 4000));
            var cfg = new PretrainConfig
            {
                Model = new() { Dim = 16, Layers = 1, Heads = 2, KvHeads = 2, FfnDim = 32, MaxPositions = 32 }, BatchSize = 4, Steps = 3,
                EvalEvery = 3, EvalBatches = 1, CheckpointEvery = 3, OutDir = Path.Combine(dir, "run"),
            };
            var t = Pretrainer.FromShards(cfg, Path.Combine(dir, "shards"), gpt2);
            Assert.Equal(50257, t.Tokenizer.VocabSize);
            Assert.Equal(50257, t.Model.Config.VocabSize);
            Assert.InRange(t.BytesPerToken, 2.5, 5.0); // English GPT-2 tokens average ~3–4 bytes
            var r = t.Run();
            Assert.Equal(3, r.StepsDone);
            Assert.True(float.IsFinite(r.FinalValLoss));
            // The checkpoint carries the tokenizer as Hugging Face tokenizer.json; it encodes like the original.
            var back = SharpLM.Text.Formats.TokenizerLoader.Load(Path.Combine(dir, "run", "checkpoint"));
            Assert.Equal(tok.Encode("O Romeo, Romeo! wherefore art thou Romeo?"), back.Encode("O Romeo, Romeo! wherefore art thou Romeo?"));
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }
}
