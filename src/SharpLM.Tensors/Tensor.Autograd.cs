// Tensor autograd entry points: Backward from a scalar (or with an explicit output gradient) and ZeroGrad.
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

public sealed partial class Tensor
{
    internal bool RequiresGradInternal { set => _requiresGrad = value; }

    /// <summary>Accumulates d(this)/d(leaf) into every leaf's <see cref="Grad"/>.</summary>
    public void Backward(Tensor? gradient = null) => BackwardEngine.Run(this, gradient);

    /// <summary>Sets the accumulated gradient to zero (keeping its memory).</summary>
    public void ZeroGrad()
    {
        if (Grad is { IsDisposed: false } g) Backends.Backend.Current.Fill(g, 0f);
    }
}
