// HoulsbyLinear: a Houlsby bottleneck adapter (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for NLP")
// around a sub-layer's output projection: y = base(x); y + up(act(down(y))). The up projection starts at zero, so a
// fresh adapter leaves the model's output unchanged. It stands in the projection's slot (Module.Replace), so the
// layer needs no change; the wrapped projection stays frozen under "base_layer", as PEFT names wrapped layers.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>A projection followed by a residual bottleneck adapter.</summary>
public sealed class HoulsbyLinear : Module, ILinearLayer
{
    private readonly Func<Tensor, Tensor> _act;

    /// <summary>The wrapped projection.</summary>
    public Module Base { get; }
    /// <summary>adapter_down: [bottleneck, out] with bias.</summary>
    public Linear Down { get; }
    /// <summary>adapter_up: [out, bottleneck] with bias, zero at the start.</summary>
    public Linear Up { get; }

    public int InFeatures => ((ILinearLayer)Base).InFeatures;
    public int OutFeatures => ((ILinearLayer)Base).OutFeatures;

    public HoulsbyLinear(Module baseLayer, int bottleneck, Func<Tensor, Tensor> activation, Generator gen, float std)
    {
        if (baseLayer is not ILinearLayer lin) throw new ArgumentException($"HoulsbyLinear: {baseLayer.GetType().Name} is not a projection (ILinearLayer).");
        _act = activation;
        Base = Child("base_layer", baseLayer);
        Down = Child("adapter_down", new Linear(lin.OutFeatures, bottleneck, bias: true, gen, std));
        Up = Child("adapter_up", new Linear(bottleneck, lin.OutFeatures, bias: true, gen, std: 0f)); // zero: starts as the identity
    }

    public Tensor Forward(Tensor x)
    {
        var y = ((ILinearLayer)Base).Forward(x);                                       // (…, out)
        return Hooked(x, y + Up.Forward(_act(Down.Forward(y))));                       // skip + bottleneck
    }
}
