// Broadcasting arithmetic: add, sub, mul, div between tensors and with scalars, and SumToShape, which
// reduces a broadcast gradient back to an input's shape.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

/// <summary>Differentiable tensor operations.</summary>
public static partial class Ops
{
    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        if (a.DType != DType.F32 || b.DType != DType.F32)
            throw new ArgumentException($"{name}: expected f32 tensors, got {a.DType.Name()} {ShapeUtil.Format(a.Shape)} and {b.DType.Name()} {ShapeUtil.Format(b.Shape)}.");
        var shape = ShapeUtil.Broadcast(a.Shape, b.Shape, name);
        var o = Tensor.Alloc(shape, DType.F32);
        Backend.Current.Binary(op, a, ShapeUtil.BroadcastStrides(a.Shape, a.Strides, shape),
            b, ShapeUtil.BroadcastStrides(b.Shape, b.Strides, shape), o);
        return o;
    }

    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var o = Binary(BinaryOp.Add, a, b, "Add");
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(o, "add", a, b, g => [a.RequiresGrad ? SumToShape(g, sa) : null, b.RequiresGrad ? SumToShape(g, sb) : null]);
    }

    /// <summary>a − b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var o = Binary(BinaryOp.Sub, a, b, "Sub");
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(o, "sub", a, b, g => [a.RequiresGrad ? SumToShape(g, sa) : null, b.RequiresGrad ? SumToShape(Neg(g), sb) : null]);
    }

    /// <summary>a · b (elementwise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var o = Binary(BinaryOp.Mul, a, b, "Mul");
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(o, "mul", a, b, g => [
            a.RequiresGrad ? SumToShape(Mul(g, b), sa) : null,
            b.RequiresGrad ? SumToShape(Mul(g, a), sb) : null]);
    }

    /// <summary>a / b (elementwise) with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var o = Binary(BinaryOp.Div, a, b, "Div");
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(o, "div", a, b, g => [
            a.RequiresGrad ? SumToShape(Div(g, b), sa) : null,
            b.RequiresGrad ? SumToShape(Neg(Div(Mul(g, o), b)), sb) : null]);
    }

    /// <summary>x + c.</summary>
    public static Tensor AddScalar(Tensor x, float c) { using var s = Tensor.Scalar(c); return Add(x, s); }

    /// <summary>x · c.</summary>
    public static Tensor MulScalar(Tensor x, float c)
    {
        var s = Tensor.Scalar(c);
        var o = Binary(BinaryOp.Mul, x, s, "MulScalar");
        s.Dispose();
        return GradRecorder.Record(o, "mul_scalar", x, g => [MulScalar(g, c)]);
    }

    /// <summary>Sums <paramref name="g"/> over the dims that were broadcast to reach its shape from <paramref name="shape"/>.</summary>
    public static Tensor SumToShape(Tensor g, ReadOnlySpan<int> shape)
    {
        if (ShapeUtil.SameShape(g.Shape, shape)) return g;
        int lead = g.Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"SumToShape: cannot reduce {ShapeUtil.Format(g.Shape)} to the larger rank {ShapeUtil.Format(shape)}.");
        var cur = g;
        for (int i = 0; i < lead; i++) cur = Sum(cur, 0, keepDim: false);
        for (int d = 0; d < shape.Length; d++)
            if (shape[d] == 1 && cur.Shape[d] != 1) cur = Sum(cur, d, keepDim: true);
        if (!ShapeUtil.SameShape(cur.Shape, shape))
            throw new ArgumentException($"SumToShape: {ShapeUtil.Format(g.Shape)} is not a broadcast of {ShapeUtil.Format(shape)}.");
        return cur;
    }
}
