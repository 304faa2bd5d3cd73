// DecoderEngine against the reference: the llama_gqa fixture (GQA, 2 layers) written as GGUF gives the same
// logits as DecoderModel (F32, ≤ 1e-4 abs) at every position of prefill and decode; prefill-then-decode
// equals one prefill; greedy tokens equal PyTorch's; F16/BF16/Q8_0/Q4_0 files stay within stated
// tolerances of the F32 engine; the context limit and bad input give clear errors.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class DecoderEngineTests : IDisposable
{
    private static readonly string FixtureDir = LlamaGqaGguf.FixtureDir;
    private readonly LlamaGqaGguf _files = new();
    private static readonly int[] Sequence = [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7, 33, 21, 2, 60, 14];

    public void Dispose() => _files.Dispose();

    private string Gguf(GgmlType type) => _files.Gguf(type);

    private float[] ReferenceLogits(int[] ids) => _files.ReferenceLogits(ids);

    private static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => LlamaGqaGguf.MaxAbsDiff(a, b);

    [Fact]
    public void F32EngineEqualsDecoderModelInPrefillAndDecode()
    {
        using var engine = DecoderEngine.Open(Gguf(GgmlType.F32));
        int v = engine.VocabSize, prompt = 6;
        var reference = ReferenceLogits(Sequence);
        var logits = new float[v];
        engine.Forward(Sequence.AsSpan(0, prompt), 0, logits);
        Assert.True(MaxAbsDiff(logits, reference.AsSpan((prompt - 1) * v, v)) <= 1e-4f);
        for (int t = prompt; t < Sequence.Length; t++)
        {
            engine.Forward(Sequence.AsSpan(t, 1), t, logits);
            float d = MaxAbsDiff(logits, reference.AsSpan(t * v, v));
            Assert.True(d <= 1e-4f, $"position {t}: max |Δ| = {d}");
        }
        Assert.Equal(Sequence.Length, engine.CachedTokens);
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    public void PrefillThenDecodeEqualsFullPrefill(GgmlType type)
    {
        using var a = DecoderEngine.Open(Gguf(type));
        using var b = DecoderEngine.Open(Gguf(type));
        var la = new float[a.VocabSize]; var lb = new float[b.VocabSize];
        a.Forward(Sequence.AsSpan(0, 9), 0, la);
        for (int t = 9; t < Sequence.Length; t++) a.Forward(Sequence.AsSpan(t, 1), t, la);
        b.Forward(Sequence, 0, lb);
        Assert.True(MaxAbsDiff(la, lb) <= 1e-4f * MathF.Max(1, lb.Max(MathF.Abs)), $"max |Δ| = {MaxAbsDiff(la, lb)}");
        // Rewinding to an earlier position recomputes from the cached prefix.
        b.Forward(Sequence.AsSpan(9, 1), 9, lb);
        var c = new float[b.VocabSize];
        a.Forward(Sequence.AsSpan(0, 10), 0, c);
        Assert.True(MaxAbsDiff(c, lb) <= 1e-4f * MathF.Max(1, c.Max(MathF.Abs)));
    }

    // f16 KV cache against PyTorch with keys (after RoPE) and values rounded to fp16 where they are stored
    // (tests/oracles/make_kv16_fixture.py): the two oracles differ by ~4e-3, so 5e-4 tells the cache types apart.
    [Fact]
    public void F16KvCacheMatchesPyTorchWithAnFp16Cache()
    {
        var fx = new OracleFixture(Path.Combine(RepoPaths.Root, "tests", "SharpLM.Inference.Tests", "Fixtures", "llama_gqa_kv16.safetensors"));
        Assert.Equal(Sequence, fx.Values("input_ids").Select(x => (int)x).ToArray());
        var kv16 = fx.Values("logits_kv16");
        var f32kv = fx.Values("logits_f32kv");
        using var engine = DecoderEngine.Open(Gguf(GgmlType.F32), kvType: KvCacheType.F16);
        Assert.Equal(KvCacheType.F16, engine.KvType);
        int v = engine.VocabSize, prompt = 6;
        var logits = new float[v];
        double worst = 0, fromF32Cache = 0;
        void Check(int t)
        {
            for (int i = 0; i < v; i++)
            {
                worst = Math.Max(worst, Math.Abs(logits[i] - kv16[t * v + i]));
                fromF32Cache = Math.Max(fromF32Cache, Math.Abs(logits[i] - f32kv[t * v + i]));
            }
        }
        engine.Forward(Sequence.AsSpan(0, prompt), 0, logits);
        Check(prompt - 1);
        for (int t = prompt; t < Sequence.Length; t++) { engine.Forward(Sequence.AsSpan(t, 1), t, logits); Check(t); }
        Assert.True(worst <= 5e-4, $"max |Δ| vs the fp16-cache oracle = {worst:G3}");
        Assert.True(fromF32Cache > 2e-3, $"the f16 cache should be measurably different from an f32 one (max |Δ| = {fromF32Cache:G3})");
    }

    [Fact]
    public void F16KvCacheSlotsBatchAndCopyLikeF32()
    {
        using var engine = DecoderEngine.Open(Gguf(GgmlType.Q8_0), maxSequences: 2, kvType: KvCacheType.F16);
        using var alone = DecoderEngine.Open(Gguf(GgmlType.Q8_0), kvType: KvCacheType.F16);
        int v = engine.VocabSize;
        var both = new float[2 * v]; var one = new float[v];
        engine.ForwardBatch([.. Sequence[..5], .. Sequence[5..12]], [new SequenceChunk(0, 0, 5), new SequenceChunk(1, 0, 7)], both);
        alone.Forward(Sequence.AsSpan(5, 7), 0, one);
        Assert.Equal(one, both.AsSpan(v, v).ToArray());                      // batched = alone, bit for bit
        engine.CopySlot(1, 0);                                                // slot 0 now holds the 7-token sequence
        engine.ForwardBatch([Sequence[12]], [new SequenceChunk(0, 7, 1)], both);
        alone.Forward(Sequence.AsSpan(12, 1), 7, one);
        Assert.Equal(one, both.AsSpan(0, v).ToArray());
    }

    [Fact]
    public void GreedyTokensThroughTheEngineEqualPyTorch()
    {
        var fx = new OracleFixture(Path.Combine(FixtureDir, "oracle.safetensors"));
        var prompt = fx.Values("greedy_prompt").Select(x => (int)x).ToArray();
        var expected = fx.Values("greedy_tokens").Select(x => (int)x).ToArray();
        using var engine = DecoderEngine.Open(Gguf(GgmlType.F32));
        var r = new TextGenerator(engine).Generate(prompt, new GenerationOptions { MaxNewTokens = expected.Length });
        Assert.Equal(expected, r.Tokens);
    }

    // Max |Δlogit| relative to the F32 engine's largest |logit| over the whole sequence.
    [Theory]
    [InlineData(GgmlType.F16, 2e-3)]
    [InlineData(GgmlType.BF16, 2e-2)]
    [InlineData(GgmlType.Q8_0, 5e-2)]
    [InlineData(GgmlType.Q4_0, 0.75)] // 4-bit weights on 32-wide rows (one block per row): weight error dominates
    public void StoredTypesStayCloseToF32(GgmlType type, double tolerance)
    {
        using var f32 = DecoderEngine.Open(Gguf(GgmlType.F32));
        using var other = DecoderEngine.Open(Gguf(type));
        Assert.Equal(type, other.WeightType);
        var a = new float[f32.VocabSize]; var b = new float[f32.VocabSize];
        f32.Forward(Sequence.AsSpan(0, 8), 0, a);
        other.Forward(Sequence.AsSpan(0, 8), 0, b);
        double worst = MaxAbsDiff(a, b) / a.Max(MathF.Abs);
        for (int t = 8; t < Sequence.Length; t++)
        {
            f32.Forward(Sequence.AsSpan(t, 1), t, a);
            other.Forward(Sequence.AsSpan(t, 1), t, b);
            worst = Math.Max(worst, MaxAbsDiff(a, b) / a.Max(MathF.Abs));
        }
        Assert.True(worst <= tolerance, $"{type}: relative max |Δ| = {worst:G3} > {tolerance}");
    }

    // The engine's only deviation from DecoderModel over the same (dequantised) weights is the Q8_0
    // quantisation of activations in the int8 kernels: relative max |Δlogit| ≤ 4e-2 (32-wide rows: one block each).
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    public void QuantizedEnginesMatchDequantizedReference(GgmlType type)
    {
        using var reference = ModelFile.Load(Gguf(type)); // DecoderModel over the dequantised weights
        using var engine = DecoderEngine.Open(Gguf(type));
        float[] expected;
        using (var scope = TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            reference.Eval();
            expected = reference.Forward(Tensor.FromArray(Sequence, 1, Sequence.Length)).ToArray();
        }
        int v = engine.VocabSize;
        var logits = new float[v];
        double worst = 0;
        engine.Forward(Sequence.AsSpan(0, 8), 0, logits);
        worst = Math.Max(worst, MaxAbsDiff(logits, expected.AsSpan(7 * v, v)) / expected.AsSpan(7 * v, v).ToArray().Max(MathF.Abs));
        for (int t = 8; t < Sequence.Length; t++)
        {
            engine.Forward(Sequence.AsSpan(t, 1), t, logits);
            worst = Math.Max(worst, MaxAbsDiff(logits, expected.AsSpan(t * v, v)) / expected.AsSpan(t * v, v).ToArray().Max(MathF.Abs));
        }
        Assert.True(worst <= 4e-2, $"{type}: relative max |Δ| = {worst:G3}");
    }

    [Fact]
    public void ContextOverflowAndBadInputAreClearErrors()
    {
        using var engine = DecoderEngine.Open(Gguf(GgmlType.F32));
        var logits = new float[engine.VocabSize];
        int ctx = engine.ContextLength;
        var tooLong = Enumerable.Range(0, ctx + 1).Select(i => i % engine.VocabSize).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => engine.Forward(tooLong, 0, logits));
        Assert.Contains("context length", e.Message);
        engine.Forward(tooLong.AsSpan(0, ctx), 0, logits);                 // exactly full is fine
        Assert.Throws<InvalidOperationException>(() => engine.Forward([1], ctx, logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Forward([engine.VocabSize], 0, logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Forward([1], ctx + 5, logits));
        Assert.Throws<ArgumentException>(() => new TextGenerator(engine).Generate(tooLong[..(ctx - 2)], new GenerationOptions { MaxNewTokens = 5 }));
        using var small = DecoderEngine.Open(Gguf(GgmlType.F32), contextLength: 8);
        Assert.Equal(8, small.ContextLength);
        Assert.Throws<InvalidOperationException>(() => small.Forward(Sequence.AsSpan(0, 9), 0, logits));
    }
}
