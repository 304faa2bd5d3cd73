// GradRecorder: attaches a backward closure to an op's output when gradient mode is on and any input
// requires a gradient. Ops call it once after computing their forward result.
namespace SharpLM.Tensors.Autograd;

internal static class GradRecorder
{
    public static Tensor Record(Tensor output, string name, Tensor a, BackwardFn backward)
    {
        if (!GradMode.Enabled || !a.RequiresGrad) return output;
        return Attach(output, name, [a], backward);
    }

    public static Tensor Record(Tensor output, string name, Tensor a, Tensor b, BackwardFn backward)
    {
        if (!GradMode.Enabled || !(a.RequiresGrad || b.RequiresGrad)) return output;
        return Attach(output, name, [a, b], backward);
    }

    public static Tensor Record(Tensor output, string name, Tensor[] inputs, BackwardFn backward)
    {
        if (!GradMode.Enabled) return output;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        return any ? Attach(output, name, inputs, backward) : output;
    }

    /// <summary>Attaches a node whenever recording is on, even if no listed input requires grad (the op may hide parameters, as a checkpointed block does).</summary>
    public static Tensor RecordAlways(Tensor output, string name, Tensor[] inputs, BackwardFn backward) =>
        GradMode.Enabled ? Attach(output, name, inputs, backward) : output;

    private static Tensor Attach(Tensor output, string name, Tensor[] inputs, BackwardFn backward)
    {
        output.Node = new GradNode(name, inputs, backward);
        output.RequiresGradInternal = true;
        return output;
    }
}
