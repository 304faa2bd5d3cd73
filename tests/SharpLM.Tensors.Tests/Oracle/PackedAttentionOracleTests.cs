// Attention over packed sequences against PyTorch (tests/oracles/make_packed_attention_fixture.py): with segment
// ids, Ops.ScaledDotProductAttention (the fused kernel, forward and backward) equals the materialised
// block-diagonal causal softmax attention and its gradients; the fused kernel also equals the double-precision
// reference with segments, and each session's rows equal that session run alone (nothing crosses sessions).
using SharpLM.Tensors.Cpu;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Tensors.Tests.Oracle;

public unsafe class PackedAttentionOracleTests
{
    private static readonly OracleFixture Fx = new("packed_attention.safetensors");

    private static Tensor Seg() => Fx.Load("seg");

    [Fact]
    public void Forward_and_gradients_equal_pytorch()
    {
        using var scope = TensorScope.Begin();
        var q = Fx.Load("q"); var k = Fx.Load("k"); var v = Fx.Load("v");
        q.RequiresGrad = true; k.RequiresGrad = true; v.RequiresGrad = true;
        var o = Ops.ScaledDotProductAttention(q, k, v, causal: true, segments: Seg());
        Close.Assert("o", o.ToArray(), Fx.Values("o"), o.Shape.ToArray(), Fx.Shape("o"), 1e-5, 1e-6);
        Ops.Sum(o * Fx.Load("gout")).Backward();
        Close.Assert("gq", q.Grad!.ToArray(), Fx.Values("gq"), q.Shape.ToArray(), Fx.Shape("gq"), 1e-4, 1e-6);
        Close.Assert("gk", k.Grad!.ToArray(), Fx.Values("gk"), k.Shape.ToArray(), Fx.Shape("gk"), 1e-4, 1e-6);
        Close.Assert("gv", v.Grad!.ToArray(), Fx.Values("gv"), v.Shape.ToArray(), Fx.Shape("gv"), 1e-4, 1e-6);
    }

    [Fact]
    public void Fused_kernel_equals_reference_with_segments()
    {
        float[] q = Fx.Values("q").Select(x => (float)x).ToArray(), k = Fx.Values("k").Select(x => (float)x).ToArray(),
                v = Fx.Values("v").Select(x => (float)x).ToArray(), g = Fx.Values("gout").Select(x => (float)x).ToArray();
        int[] seg = Fx.Values("seg").Select(x => (int)x).ToArray();
        int[] qs = Fx.Shape("q"), ks = Fx.Shape("k");
        int b = qs[0], hq = qs[1], t = qs[2], d = qs[3], hkv = ks[1];
        float scale = 1f / MathF.Sqrt(d);
        var outs = new float[2][]; var lses = new float[2][]; var grads = new float[2][][];
        for (int r = 0; r < 2; r++)
        {
            outs[r] = new float[q.Length]; lses[r] = new float[b * hq * t];
            grads[r] = [new float[q.Length], new float[k.Length], new float[v.Length]];
            fixed (float* pq = q, pk = k, pv = v, pg = g, po = outs[r], pl = lses[r], dq = grads[r][0], dk = grads[r][1], dv = grads[r][2])
            fixed (int* ps = seg)
            {
                if (r == 0)
                {
                    FlashAttention.ReferenceForward(pq, pk, pv, po, pl, b, hq, hkv, t, t, d, scale, true, null, 0f, 0, ps);
                    FlashAttention.ReferenceBackward(pq, pk, pv, po, pl, pg, dq, dk, dv, b, hq, hkv, t, t, d, scale, true, null, 0f, 0, ps);
                }
                else
                {
                    FlashAttention.Forward(pq, pk, pv, po, pl, b, hq, hkv, t, t, d, scale, true, null, 0f, 0, ps);
                    FlashAttention.Backward(pq, pk, pv, po, pl, pg, dq, dk, dv, b, hq, hkv, t, t, d, scale, true, null, 0f, 0, ps);
                }
            }
        }
        Assert.True(Close.MaxAbsDiff(outs[1], outs[0].Select(x => (double)x).ToArray()) < 1e-5);
        Assert.True(Close.MaxAbsDiff(lses[1], lses[0].Select(x => (double)x).ToArray()) < 1e-5);
        for (int i = 0; i < 3; i++) Assert.True(Close.MaxAbsDiff(grads[1][i], grads[0][i].Select(x => (double)x).ToArray()) < 1e-4, $"gradient {i}");
    }

    [Fact]
    public void Each_session_equals_the_session_alone()
    {
        using var scope = TensorScope.Begin();
        var q = Fx.Load("q"); var k = Fx.Load("k"); var v = Fx.Load("v");
        var seg = Fx.Values("seg").Select(x => (int)x).ToArray();
        int t = q.Shape[2];
        var packed = Ops.ScaledDotProductAttention(q, k, v, segments: Seg());
        // Row 2 holds sessions of 5, 90, 1 and 30 tokens: run each alone (causal only) and compare its rows.
        int row = 2, start = 0;
        while (start < t && seg[row * t + start] != 0)
        {
            int end = start;
            while (end < t && seg[row * t + end] == seg[row * t + start]) end++;
            Tensor Slice(Tensor x) => x.Narrow(0, row, 1).Narrow(2, start, end - start).Contiguous();
            var alone = Ops.ScaledDotProductAttention(Slice(q), Slice(k), Slice(v));
            var mine = Slice(packed);
            Assert.True(Close.MaxAbsDiff(mine.ToArray(), alone.ToArray().Select(x => (double)x).ToArray()) < 1e-6, $"session [{start}, {end})");
            start = end;
        }
        Assert.Equal(126, start);
    }

    [Fact]
    public void Bad_segment_ids_are_refused()
    {
        using var scope = TensorScope.Begin();
        var q = Tensor.Zeros([1, 2, 4, 8]);
        var e = Assert.Throws<ArgumentException>(() => Ops.ScaledDotProductAttention(q, q, q, segments: Tensor.FromArray(new int[3], 1, 3)));
        Assert.Contains("segment ids", e.Message);
    }
}
