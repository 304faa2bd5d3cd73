// Linear: y = x Wᵀ + b with PyTorch's [out, in] weight. GPT-2's Conv1D stores the same map as [in, out]
// (y = x W + b); `conv1D: true` keeps that layout so checkpoints load unchanged.
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>Affine map with optional bias.</summary>
public sealed class Linear : Module, ILinearLayer
{
    /// <summary>Weight: [out, in], or [in, out] for Conv1D.</summary>
    public Tensor Weight { get; }
    /// <summary>Bias [out], or null.</summary>
    public Tensor? Bias { get; }
    /// <summary>True for GPT-2's transposed Conv1D layout.</summary>
    public bool Conv1D { get; }
    public int InFeatures => Weight.Shape[Conv1D ? 0 : 1];
    public int OutFeatures => Weight.Shape[Conv1D ? 1 : 0];

    public Linear(int inFeatures, int outFeatures, bool bias, Generator gen, float std = 0.02f, bool conv1D = false)
    {
        Conv1D = conv1D;
        Weight = Parameter("weight", Normal(conv1D ? [inFeatures, outFeatures] : [outFeatures, inFeatures], gen, std));
        if (bias) Bias = Parameter("bias", Tensor.Zeros([outFeatures]));
    }

    public Tensor Forward(Tensor x)
    {
        var y = Conv1D ? Ops.Matmul(x, Weight) : Ops.Matmul(x, Weight.Transpose(0, 1));
        return Hooked(x, Bias is null ? y : y + Bias);
    }
}
