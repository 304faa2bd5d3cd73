// One architecture, two executors: the engine built from a DecoderModel's parameters in memory (no file) gives
// PyTorch's logits at every position (ForwardAllPositions, ≤ 1e-4) for every family fixture — GPT-2 (LayerNorm,
// GELU, learned positions, biases, Conv1D, tied head), LLaMA GQA, LLaMA with the transformers-5 RoPE form
// (θ 500000, linear ×4), Qwen2 (q/k/v bias, MQA) and Baichuan-13B (ALiBi, fused W_pack) — and decoding one
// token at a time through its KV cache gives the same logits as the all-positions pass.
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public class InMemoryEngineOracleTests
{
    private static string Dir(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama_gqa")]
    [InlineData("llama_rope_params")]
    [InlineData("qwen2_mqa")]
    [InlineData("baichuan_alibi")]
    [InlineData("baichuan2_normhead")]
    [InlineData("qwen3_qknorm")]
    public void EngineFromModelMatchesPyTorchAtEveryPosition(string name)
    {
        var fx = new OracleFixture(Path.Combine(Dir(name), "oracle.safetensors"));
        using var model = ModelFile.Load(Dir(name));
        using var engine = DecoderEngine.FromModel(model, maxSequences: 2);
        var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();   // [B, T]
        var expected = fx.Values("logits");                             // [B, T, V]
        int b = fx.Shape("input_ids")[0], t = fx.Shape("input_ids")[1], v = engine.VocabSize;
        var logits = new float[t * v];
        for (int row = 0; row < b; row++)
        {
            engine.ForwardAllPositions(ids.AsSpan(row * t, t), 0, logits, slot: row);
            var want = expected.Skip(row * t * v).Take(t * v).ToArray();
            double d = Close.MaxAbsDiff(logits, want);
            Assert.True(d <= 1e-4, $"{name} row {row}: max |Δ| = {d:E2}");
        }
        // Decode token by token on slot 0 equals the all-positions pass.
        var all = new float[t * v];
        engine.ForwardAllPositions(ids.AsSpan(0, t), 0, all);
        var last = new float[v];
        for (int i = 0; i < t; i++)
        {
            engine.Forward(ids.AsSpan(i, 1), i, last);
            double d = Close.MaxAbsDiff(last, all.Skip(i * v).Take(v).Select(x => (double)x).ToArray());
            Assert.True(d <= 1e-4, $"{name} decode position {i}: max |Δ| = {d:E2}");
        }
    }

    [Fact]
    public void AllPositionsOfAGgufEngineEqualTheLastTokenForward()
    {
        using var files = new LlamaGqaGguf();
        using var engine = DecoderEngine.Open(files.Gguf(SharpLM.Formats.Gguf.GgmlType.F32));
        int[] seq = [3, 17, 42, 5, 9, 63, 0, 28];
        var reference = files.ReferenceLogits(seq);
        var all = new float[seq.Length * engine.VocabSize];
        engine.ForwardAllPositions(seq, 0, all);
        Assert.True(LlamaGqaGguf.MaxAbsDiff(all, reference) <= 1e-4f, $"max |Δ| = {LlamaGqaGguf.MaxAbsDiff(all, reference)}");
        var small = new float[engine.VocabSize];
        Assert.Throws<ArgumentException>(() => engine.ForwardAllPositions(seq, 0, small));
    }

    [Fact]
    public void GgufOfTheRopeScaledFixtureMatchesPyTorchInTheEngine()
    {
        var fx = new OracleFixture(Path.Combine(Dir("llama_rope_params"), "oracle.safetensors"));
        using var model = ModelFile.Load(Dir("llama_rope_params"));
        var path = Path.Combine(Path.GetTempPath(), "sharplm-rope-" + Guid.NewGuid().ToString("N") + ".gguf");
        try
        {
            ModelFile.Save(model, path, ModelFileFormat.Gguf);
            using var engine = DecoderEngine.Open(path);
            Assert.Equal(4f, engine.Config.RopeScaling);
            var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();
            int t = fx.Shape("input_ids")[1], v = engine.VocabSize;
            var logits = new float[t * v];
            engine.ForwardAllPositions(ids.AsSpan(0, t), 0, logits);
            double d = Close.MaxAbsDiff(logits, fx.Values("logits").Take(t * v).ToArray());
            Assert.True(d <= 1e-4, $"max |Δ| = {d:E2}");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void PerplexityFromOneAllPositionsPassEqualsTheTokenByTokenReference()
    {
        using var model = ModelFile.Load(Dir("llama_gqa"));
        int[] seq = [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7, 33, 21, 2, 60, 14];
        using var engine = DecoderEngine.FromModel(model);
        using var reference = new DecoderModelLm(model);
        var (fast, _) = Perplexity.Evaluate(engine, seq);             // ForwardAllPositions
        var (slow, _) = Perplexity.Evaluate(reference, seq);          // one token at a time, autograd model
        Assert.True(Math.Abs(fast - slow) <= 1e-5 * Math.Abs(slow), $"mean NLL {fast} vs {slow}");
    }
}
