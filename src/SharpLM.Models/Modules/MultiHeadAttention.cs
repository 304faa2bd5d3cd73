// MultiHeadAttention: attention with separate, biased q/k/v/out projections (BERT, the original
// encoder-decoder Transformer). Self-attention when `memory` is null, cross-attention over `memory`
// otherwise. Without a key-padding mask it runs the fused FlashAttention op; with one it builds the
// additive mask and takes the materialised path (scores = q kᵀ · scale + mask → softmax → · v).
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>Multi-head attention with projection names given by the caller's family table.</summary>
public sealed class MultiHeadAttention : Module
{
    private readonly ChildSlot<ILinearLayer> _q, _k, _v, _o;
    private readonly int _heads;

    public MultiHeadAttention(int dim, int heads, Generator gen, float std, (string Q, string K, string V, string O) names)
    {
        if (dim % heads != 0) throw new ArgumentException($"MultiHeadAttention: dim {dim} must be divisible by heads {heads}.");
        _heads = heads;
        _q = Slot<ILinearLayer>(names.Q, new Linear(dim, dim, true, gen, std));
        _k = Slot<ILinearLayer>(names.K, new Linear(dim, dim, true, gen, std));
        _v = Slot<ILinearLayer>(names.V, new Linear(dim, dim, true, gen, std));
        _o = Slot<ILinearLayer>(names.O, new Linear(dim, dim, true, gen, std));
    }

    /// <summary>
    /// x [B, Tq, C]; memory [B, Tk, C] or null; keyMask i32 [B, Tk] (1 = attend, 0 = padding) or null.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? memory, Tensor? keyMask, bool causal, float dropout, ulong seed)
    {
        int b = x.Shape[0], tq = x.Shape[1], c = x.Shape[2], hd = c / _heads;
        var src = memory ?? x;
        int tk = src.Shape[1];
        var q = _q.Value.Forward(x).Reshape(b, tq, _heads, hd).Transpose(1, 2);    // (B, H, Tq, hd)
        var k = _k.Value.Forward(src).Reshape(b, tk, _heads, hd).Transpose(1, 2);  // (B, H, Tk, hd)
        var v = _v.Value.Forward(src).Reshape(b, tk, _heads, hd).Transpose(1, 2);  // (B, H, Tk, hd)
        Tensor a;
        if (keyMask is null)
            a = Ops.ScaledDotProductAttention(q, k, v, causal, dropoutP: dropout, seed: seed, training: Training);
        else
        {
            if (keyMask.DType != DType.I32 || keyMask.Rank != 2 || keyMask.Shape[0] != b || keyMask.Shape[1] != tk)
                throw new ArgumentException($"MultiHeadAttention: key mask must be i32 [{b}, {tk}], got {keyMask}.");
            var scores = Ops.MulScalar(Ops.Matmul(q, k.Transpose(-1, -2)), 1f / MathF.Sqrt(hd)); // (B, H, Tq, Tk)
            var pad = Ops.Where(keyMask.Reshape(b, 1, 1, tk), Tensor.Scalar(0f), Tensor.Scalar(-1e9f)); // (B, 1, 1, Tk)
            scores = scores + pad;
            if (causal) scores = Ops.MaskedFill(scores, CausalMask(tq, tk), -1e9f);
            a = Ops.Matmul(Ops.Dropout(Ops.Softmax(scores, -1), dropout, seed, Training), v);   // (B, H, Tq, hd)
        }
        return Hooked(x, _o.Value.Forward(a.Transpose(1, 2).Reshape(b, tq, c)));               // (B, Tq, C)
    }

    private static Tensor CausalMask(int tq, int tk)
    {
        var m = new int[tq * tk];
        for (int i = 0; i < tq; i++) for (int j = 0; j < tk; j++) m[i * tk + j] = j > i + (tk - tq) ? 1 : 0;
        return Tensor.FromArray(m, tq, tk);
    }
}
