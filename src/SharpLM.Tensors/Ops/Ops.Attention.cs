// Scaled dot-product attention as one fused, differentiable op over the FlashAttention kernel: causal
// masking (bottom-right aligned for KV-cache decoding), grouped KV heads (GQA/MQA), optional ALiBi slopes,
// attention dropout, and optional segment ids i32 [B, Tk] (packed sequences: a query attends only to keys of
// its own segment, block-diagonal). The T×T score matrix is never materialised; backward recomputes it tile by tile from
// the saved log-sum-exp. The kernels are reached through the current backend.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>
    /// softmax(q kᵀ · scale + alibi, causal mask) v for q [B, Hq, Tq, D], k/v [B, Hkv, Tk, D] with Hq % Hkv == 0.
    /// With <paramref name="segments"/> (i32 [B, Tk]; query i is aligned to key i + Tk − Tq) a query sees only keys of its segment.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, bool causal = true, float? scale = null,
        Tensor? alibiSlopes = null, float dropoutP = 0f, ulong seed = 0, bool training = true, Tensor? segments = null)
    {
        const string op = "ScaledDotProductAttention";
        if (q.Rank != 4 || k.Rank != 4 || v.Rank != 4)
            throw new ArgumentException($"{op}: expected q, k, v of rank 4 [B, H, T, D], got {ShapeUtil.Format(q.Shape)}, {ShapeUtil.Format(k.Shape)}, {ShapeUtil.Format(v.Shape)}.");
        int b = q.Shape[0], hq = q.Shape[1], tq = q.Shape[2], d = q.Shape[3];
        int hkv = k.Shape[1], tk = k.Shape[2];
        if (k.Shape[0] != b || v.Shape[0] != b || k.Shape[3] != d || !ShapeUtil.SameShape(k.Shape, v.Shape))
            throw new ArgumentException($"{op}: k {ShapeUtil.Format(k.Shape)} and v {ShapeUtil.Format(v.Shape)} must both be [{b}, Hkv, Tk, {d}] for q {ShapeUtil.Format(q.Shape)}.");
        if (hkv == 0 || hq % hkv != 0)
            throw new ArgumentException($"{op}: query heads {hq} must be a multiple of key/value heads {hkv}.");
        if (alibiSlopes is not null && (alibiSlopes.Rank != 1 || alibiSlopes.Shape[0] != hq))
            throw new ArgumentException($"{op}: alibi slopes shape {ShapeUtil.Format(alibiSlopes.Shape)} must be [{hq}].");
        if (segments is not null && (segments.DType != DType.I32 || segments.Rank != 2 || segments.Shape[0] != b || segments.Shape[1] != tk || tq > tk))
            throw new ArgumentException($"{op}: segment ids {segments} must be i32 [{b}, {tk}] (and Tq {tq} <= Tk).");
        if (dropoutP < 0 || dropoutP >= 1) throw new ArgumentOutOfRangeException(nameof(dropoutP), dropoutP, $"{op}: dropout must be in [0, 1).");
        float p = training ? dropoutP : 0f;
        float sc = scale ?? 1f / MathF.Sqrt(d);
        var qd = q.DenseF32(op); var kd = k.DenseF32(op); var vd = v.DenseF32(op);
        var sd = alibiSlopes?.DenseF32(op);
        var seg = segments is null ? null : segments.IsContiguous ? segments : segments.Contiguous();
        var o = Tensor.Alloc(q.Shape, DType.F32);
        var lse = Tensor.Alloc([b, hq, tq], DType.F32);
        var shape = new AttentionShape(b, hq, hkv, tq, tk, d, sc, causal, p, seed);
        Backend.Current.Attention(shape, qd, kd, vd, sd, o, lse, seg);
        return GradRecorder.Record(o, "sdpa", [q, k, v], g =>
        {
            var gd = g.DenseF32(op + " backward");
            var dq = Tensor.Alloc(q.Shape, DType.F32);
            var dk = Tensor.Alloc(k.Shape, DType.F32);
            var dv = Tensor.Alloc(v.Shape, DType.F32);
            Backend.Current.AttentionBackward(shape, qd, kd, vd, sd, o, lse, gd, dq, dk, dv, seg);
            return [dq, dk, dv];
        });
    }

    /// <summary>ALiBi slopes for <paramref name="heads"/> heads (Press et al. 2022: geometric from 2^(−8/n)).</summary>
    public static Tensor AlibiSlopes(int heads)
    {
        int closest = 1 << (int)Math.Floor(Math.Log2(heads));
        var s = new float[heads];
        double b0 = Math.Pow(2, -8.0 / closest);
        for (int i = 0; i < closest; i++) s[i] = (float)Math.Pow(b0, i + 1);
        double b1 = Math.Pow(2, -4.0 / closest);
        for (int i = closest; i < heads; i++) s[i] = (float)Math.Pow(b1, 2 * (i - closest) + 1);
        return Tensor.FromArray(s, heads);
    }
}
