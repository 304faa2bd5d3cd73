// Normalisation layers over the last dim: LayerNorm (weight and bias) and RMSNorm (weight only).
using SharpLM.Tensors;

namespace SharpLM.Models.Modules;

/// <summary>Which normalisation a model uses.</summary>
public enum NormKind { LayerNorm, RmsNorm }

/// <summary>LayerNorm or RMSNorm with learned scale (and bias for LayerNorm).</summary>
public sealed class Norm : Module
{
    public NormKind Kind { get; }
    public float Eps { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Norm(NormKind kind, int dim, float eps, bool bias = true)
    {
        Kind = kind; Eps = eps;
        Weight = Parameter("weight", Tensor.Ones([dim]));
        if (kind == NormKind.LayerNorm && bias) Bias = Parameter("bias", Tensor.Zeros([dim]));
    }

    public Tensor Forward(Tensor x) => Hooked(x, Kind == NormKind.RmsNorm ? Ops.RmsNorm(x, Weight, Eps) : Ops.LayerNorm(x, Weight, Bias, Eps));
}
