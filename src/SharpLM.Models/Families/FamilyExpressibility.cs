// FamilyExpressibility: a family's files (config.json, GGUF keys) can only say what the family's format has a
// field for. A DecoderConfig whose switches differ from what the format implies (RoPE pairs layout, post-norm,
// ALiBi on LLaMA, …) would be written as something else and read back with different numbers, so writing it is
// refused, naming the switch.
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Models.Families;

public static class FamilyExpressibility
{
    /// <summary>Throws NotSupportedException naming the first switch of <paramref name="c"/> that <paramref name="family"/> cannot store.</summary>
    /// <param name="qkHeadNorm">The format has per-head q/k norms (Qwen3); <paramref name="explicitHeadDim"/>: it stores a head_dim other than dim / heads.</param>
    public static void Require(DecoderConfig c, string family, NormKind norm, bool preNorm, PositionKind[] positions, MlpKind[] mlps, bool qkvBias, bool projBias,
        bool qkHeadNorm = false, bool explicitHeadDim = false)
    {
        void Check(bool ok, string what, object value)
        {
            if (!ok) throw new NotSupportedException($"a {family} file cannot store {what} = {value}; this model would read back with different numbers (keep it as a SharpLM checkpoint or change the config).");
        }
        Check(c.Norm == norm, "norm", c.Norm);
        Check(c.PreNorm == preNorm, "pre_norm", c.PreNorm);
        Check(positions.Contains(c.Positions), "positions", c.Positions);
        Check(c.Positions != PositionKind.Rotary || c.RopeLayout == RopeLayout.Halves, "rope_layout", c.RopeLayout);
        Check(mlps.Contains(c.Mlp), "mlp", c.Mlp);
        Check(c.QkvBias == qkvBias, "qkv_bias", c.QkvBias);
        Check(c.ProjBias == projBias, "proj_bias", c.ProjBias);
        Check(c.QkHeadNorm == qkHeadNorm, "qk_head_norm", c.QkHeadNorm);
        Check(explicitHeadDim || c.ExplicitHeadDim == 0, "head_dim", c.ExplicitHeadDim);
    }
}
