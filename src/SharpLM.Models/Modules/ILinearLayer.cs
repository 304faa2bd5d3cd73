// ILinearLayer: what a layer needs from a projection — [..., in] → [..., out]. Layers hold their projections
// through this interface (in a replaceable slot), so a PEFT wrapper (LoRA and kin) can stand in for a Linear.
using SharpLM.Tensors;

namespace SharpLM.Models.Modules;

/// <summary>A module that maps the last dimension from <see cref="InFeatures"/> to <see cref="OutFeatures"/>.</summary>
public interface ILinearLayer
{
    int InFeatures { get; }
    int OutFeatures { get; }
    /// <summary>x [..., InFeatures] → [..., OutFeatures].</summary>
    Tensor Forward(Tensor x);
}
