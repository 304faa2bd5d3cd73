// BackwardEngine: reverse-mode differentiation over the recorded graph. Visits tensors in reverse
// topological order from the root, calls each node's backward closure once with the summed gradient of
// its output, and accumulates into the .Grad of leaves (which persist across steps and are zeroed by the
// optimizer, as in PyTorch).
namespace SharpLM.Tensors.Autograd;

internal static unsafe class BackwardEngine
{
    public static void Run(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: {root} does not require grad and has no grad_fn.");
        if (gradient is null && root.Numel != 1)
            throw new InvalidOperationException($"Backward: gradient can be implied only for a scalar output, got shape {ShapeUtil.Format(root.Shape)}; pass the output gradient explicitly.");
        if (gradient is not null && !ShapeUtil.SameShape(gradient.Shape, root.Shape))
            throw new ArgumentException($"Backward: gradient shape {ShapeUtil.Format(gradient.Shape)} differs from output shape {ShapeUtil.Format(root.Shape)}.");

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using var _ = GradMode.NoGrad();
        grads[root] = gradient ?? Tensor.Ones(root.Shape);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            if (t.Node is null)
            {
                AccumulateLeaf(t, g);
                continue;
            }
            var node = t.Node;
            var inputGrads = node.Backward(g);
            if (inputGrads.Length != node.Inputs.Length)
                throw new InvalidOperationException($"Backward of '{node.Name}' returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs.");
            for (int k = 0; k < inputGrads.Length; k++)
            {
                var input = node.Inputs[k];
                var gi = inputGrads[k];
                if (gi is null || !input.RequiresGrad) continue;
                if (!ShapeUtil.SameShape(gi.Shape, input.Shape))
                    throw new InvalidOperationException($"Backward of '{node.Name}': gradient for input {k} has shape {ShapeUtil.Format(gi.Shape)}, expected {ShapeUtil.Format(input.Shape)}.");
                grads[input] = grads.TryGetValue(input, out var prev) ? Ops.Add(prev, gi) : gi;
            }
        }
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor g)
    {
        if (leaf.Grad is null || leaf.Grad.IsDisposed)
        {
            leaf.Grad = Tensor.ZerosUnscoped(leaf.Shape);
        }
        var gd = g.DenseF32("backward");
        try
        {
            Backends.Backend.Current.AddInto(gd, leaf.Grad);
        }
        finally { if (!ReferenceEquals(gd, g)) gd.Dispose(); }
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node?.Inputs;
            if (inputs is not null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(t);
        }
        return order; // children before parents; root last
    }
}
