// GradNode: one recorded op on the define-by-run tape — the op's name, its inputs, and a closure that maps
// the gradient of the op's output to the gradients of its inputs (null where an input needs none).
namespace SharpLM.Tensors.Autograd;

/// <summary>Backward function of one op: gradient of the output → gradient of each input.</summary>
public delegate Tensor?[] BackwardFn(Tensor gradOutput);

internal sealed class GradNode(string name, Tensor[] inputs, BackwardFn backward)
{
    public string Name { get; } = name;
    public Tensor[] Inputs { get; } = inputs;
    public BackwardFn Backward { get; } = backward;
}
