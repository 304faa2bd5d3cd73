// Joining and splitting along a dim: concat, stack, split (split returns narrow views).
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>Concatenates tensors of equal shape except along <paramref name="dim"/>.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int dim)
    {
        if (xs.Count == 0) throw new ArgumentException("Concat: expected at least one tensor.");
        var first = xs[0];
        int d = ShapeUtil.NormalizeDim(dim, first.Rank, "Concat");
        var shape = first.Shape.ToArray();
        int total = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            var s = xs[i].Shape;
            if (xs[i].DType != first.DType) throw new ArgumentException($"Concat: tensor {i} is {xs[i].DType.Name()}, tensor 0 is {first.DType.Name()}.");
            bool ok = s.Length == shape.Length;
            for (int k = 0; ok && k < s.Length; k++) ok = k == d || s[k] == shape[k];
            if (!ok) throw new ArgumentException($"Concat: tensor {i} has shape {ShapeUtil.Format(s)}; expected {ShapeUtil.Format(shape)} except along dim {d}.");
            total += s[d];
        }
        shape[d] = total;
        var o = Tensor.Alloc(shape, first.DType);
        var os = ShapeUtil.ContiguousStrides(shape);
        var be = Backend.Current;
        int at = 0;
        var sizes = new int[xs.Count];
        for (int i = 0; i < xs.Count; i++)
        {
            var x = xs[i];
            sizes[i] = x.Shape[d];
            // Copy each piece into its window of the output (a strided view over o's storage).
            using var window = new Tensor(o.Storage, x.Shape.ToArray(), os, at * os[d], first.DType, scoped: false);
            be.Copy(x, window);
            at += sizes[i];
        }
        var inputs = xs.ToArray();
        return GradRecorder.Record(o, "concat", inputs, g =>
        {
            var res = new Tensor?[inputs.Length];
            int start = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                res[i] = inputs[i].RequiresGrad ? g.Narrow(d, start, sizes[i]).Contiguous() : null;
                start += sizes[i];
            }
            return res;
        });
    }

    /// <summary>Stacks equal-shaped tensors along a new dim.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> xs, int dim)
    {
        if (xs.Count == 0) throw new ArgumentException("Stack: expected at least one tensor.");
        int d = ShapeUtil.NormalizeDim(dim, xs[0].Rank + 1, "Stack");
        for (int i = 1; i < xs.Count; i++)
            if (!ShapeUtil.SameShape(xs[i].Shape, xs[0].Shape))
                throw new ArgumentException($"Stack: tensor {i} has shape {ShapeUtil.Format(xs[i].Shape)}, tensor 0 has {ShapeUtil.Format(xs[0].Shape)}.");
        return Concat(xs.Select(x => x.Unsqueeze(d)).ToArray(), d);
    }

    /// <summary>Splits along <paramref name="dim"/> into pieces of the given sizes (views).</summary>
    public static Tensor[] Split(Tensor x, IReadOnlyList<int> sizes, int dim)
    {
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, "Split");
        if (sizes.Sum() != x.Shape[d])
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] sum to {sizes.Sum()}, dim {d} of {ShapeUtil.Format(x.Shape)} has {x.Shape[d]}.");
        var res = new Tensor[sizes.Count];
        int start = 0;
        for (int i = 0; i < sizes.Count; i++) { res[i] = x.Narrow(d, start, sizes[i]); start += sizes[i]; }
        return res;
    }
}
