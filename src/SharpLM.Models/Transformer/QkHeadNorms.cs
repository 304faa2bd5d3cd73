// QkHeadNorms: Qwen3's per-head RMSNorm on queries and keys (q_norm, k_norm: one weight of HeadDim shared by
// every head), applied to the projections before RoPE (transformers Qwen3Attention: q_norm(q.view(…, head_dim))).
// DecoderLayer reads the switch (DecoderConfig.QkHeadNorm) in one place and calls this.
using SharpLM.Models.Modules;
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

internal static class QkHeadNorms
{
    /// <summary>One per-head norm (RMSNorm over HeadDim, the config's epsilon).</summary>
    public static Norm New(DecoderConfig c) => new(NormKind.RmsNorm, c.HeadDim, c.NormEps, bias: false);

    /// <summary>The family's name for the q or k norm, or an error when the family has none.</summary>
    public static string Name(string? name, DecoderConfig c) =>
        name ?? throw new ArgumentException($"{c.Family}: per-head q/k norms (QkHeadNorm) need q_norm/k_norm names in the family's weight table.");

    /// <summary>q (B, T, H·hd), k (B, T, Hkv·hd) → each head RMS-normalised with its weight; shapes kept.</summary>
    public static (Tensor Q, Tensor K) Apply(Norm qNorm, Norm kNorm, Tensor q, Tensor k, DecoderConfig c)
    {
        int b = q.Shape[0], t = q.Shape[1], hd = c.HeadDim;
        var qn = qNorm.Forward(q.Reshape(b, t, c.Heads, hd)).Reshape(b, t, c.Heads * hd);     // (B, T, H·hd)
        var kn = kNorm.Forward(k.Reshape(b, t, c.KvHeads, hd)).Reshape(b, t, c.KvHeads * hd);  // (B, T, Hkv·hd)
        return (qn, kn);
    }
}
