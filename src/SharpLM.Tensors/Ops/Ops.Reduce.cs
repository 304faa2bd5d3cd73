// Reductions: sum and mean over one dim or all elements, max (values and indices) and argmax over a dim.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    private static (long Outer, int Dim, long Inner) Split3(ReadOnlySpan<int> shape, int d)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[d], inner);
    }

    private static int[] ReducedShape(ReadOnlySpan<int> shape, int d, bool keepDim)
    {
        var s = shape.ToArray().ToList();
        if (keepDim) s[d] = 1; else s.RemoveAt(d);
        return s.ToArray();
    }

    /// <summary>Sum over <paramref name="dim"/>.</summary>
    public static Tensor Sum(Tensor x, int dim, bool keepDim = false)
    {
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, "Sum");
        var xd = x.DenseF32("Sum");
        var (outer, n, inner) = Split3(x.Shape, d);
        var o = Tensor.Alloc(ReducedShape(x.Shape, d, keepDim), DType.F32);
        Backend.Current.Sum(xd, o, outer, n, inner);
        var inShape = x.Shape.ToArray();
        var keepShape = ReducedShape(x.Shape, d, true);
        return GradRecorder.Record(o, "sum", x, g => [g.Reshape(keepShape).Expand(inShape).Contiguous()]);
    }

    /// <summary>Sum of all elements (0-dim result).</summary>
    public static Tensor Sum(Tensor x)
    {
        var xd = x.DenseF32("Sum");
        var o = Tensor.Alloc([], DType.F32);
        Backend.Current.Sum(xd, o, 1, checked((int)x.Numel), 1);
        var inShape = x.Shape.ToArray();
        return GradRecorder.Record(o, "sum_all", x, g => [g.Expand(inShape).Contiguous()]);
    }

    /// <summary>Mean over <paramref name="dim"/>.</summary>
    public static Tensor Mean(Tensor x, int dim, bool keepDim = false)
    {
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, "Mean");
        return MulScalar(Sum(x, d, keepDim), 1f / x.Shape[d]);
    }

    /// <summary>Mean of all elements.</summary>
    public static Tensor Mean(Tensor x) => MulScalar(Sum(x), 1f / x.Numel);

    /// <summary>Maximum along <paramref name="dim"/>: values (differentiable) and their i32 indices.</summary>
    public static (Tensor Values, Tensor Indices) Max(Tensor x, int dim, bool keepDim = false)
    {
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, "Max");
        if (x.Shape[d] == 0) throw new ArgumentException($"Max: dim {d} of shape {ShapeUtil.Format(x.Shape)} is empty.");
        var xd = x.DenseF32("Max");
        var (outer, n, inner) = Split3(x.Shape, d);
        var shape = ReducedShape(x.Shape, d, keepDim);
        var vals = Tensor.Alloc(shape, DType.F32);
        var idx = Tensor.Alloc(shape, DType.I32);
        Backend.Current.Max(xd, vals, idx, outer, n, inner);
        var inShape = x.Shape.ToArray();
        GradRecorder.Record(vals, "max", x, g =>
        {
            var gd = g.DenseF32("max backward");
            var dx = Tensor.Zeros(inShape);
            Backend.Current.MaxBackward(gd, idx, dx, outer, n, inner);
            return [dx];
        });
        return (vals, idx);
    }

    /// <summary>Index of the maximum along <paramref name="dim"/> (i32, first on ties).</summary>
    public static Tensor Argmax(Tensor x, int dim, bool keepDim = false)
    {
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, "Argmax");
        if (x.Shape[d] == 0) throw new ArgumentException($"Argmax: dim {d} of shape {ShapeUtil.Format(x.Shape)} is empty.");
        var xd = x.DenseF32("Argmax");
        var (outer, n, inner) = Split3(x.Shape, d);
        var idx = Tensor.Alloc(ReducedShape(x.Shape, d, keepDim), DType.I32);
        Backend.Current.Max(xd, null, idx, outer, n, inner);
        return idx;
    }
}
