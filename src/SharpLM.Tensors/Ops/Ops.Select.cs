// Selection by mask: masked_fill (constant where a broadcast mask is set) and where (pick from two tensors
// by a broadcast condition). Masks and conditions are i32 tensors, nonzero meaning true.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>x with <paramref name="value"/> wherever the broadcast i32 <paramref name="mask"/> is nonzero.</summary>
    public static Tensor MaskedFill(Tensor x, Tensor mask, float value)
    {
        if (mask.DType != DType.I32) throw mask.DTypeError("MaskedFill mask", DType.I32);
        var shape = ShapeUtil.Broadcast(x.Shape, mask.Shape, "MaskedFill");
        if (!ShapeUtil.SameShape(shape, x.Shape))
            throw new ArgumentException($"MaskedFill: mask {ShapeUtil.Format(mask.Shape)} must broadcast to the input shape {ShapeUtil.Format(x.Shape)}.");
        var m = ExpandMask(mask, shape);
        var xd = x.DenseF32("MaskedFill");
        var y = Tensor.Alloc(shape, DType.F32);
        Backend.Current.Select(m, null, value, xd, 0f, y);
        return GradRecorder.Record(y, "masked_fill", x, g =>
        {
            var gd = g.DenseF32("MaskedFill backward");
            var dx = Tensor.Alloc(shape, DType.F32);
            Backend.Current.Select(m, null, 0f, gd, 0f, dx);
            return [dx];
        });
    }

    /// <summary>Elementwise <c>cond ? a : b</c> with broadcasting of all three.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        if (cond.DType != DType.I32) throw cond.DTypeError("Where condition", DType.I32);
        if (a.DType != DType.F32 || b.DType != DType.F32) throw new ArgumentException($"Where: expected f32 values, got {a.DType.Name()} and {b.DType.Name()}.");
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(cond.Shape, a.Shape, "Where"), b.Shape, "Where");
        var m = ExpandMask(cond, shape);
        var ad = a.Expand(shape).Detach().Contiguous(); var bd = b.Expand(shape).Detach().Contiguous();
        var y = Tensor.Alloc(shape, DType.F32);
        Backend.Current.Select(m, ad, 0f, bd, 0f, y);
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(y, "where", [cond, a, b], g =>
        {
            var gd = g.DenseF32("Where backward");
            var ga = Tensor.Alloc(shape, DType.F32); var gb = Tensor.Alloc(shape, DType.F32);
            var be = Backend.Current;
            be.Select(m, gd, 0f, null, 0f, ga);
            be.Select(m, null, 0f, gd, 0f, gb);
            return [null, a.RequiresGrad ? SumToShape(ga, sa) : null, b.RequiresGrad ? SumToShape(gb, sb) : null];
        });
    }

    private static int[] ExpandMask(Tensor mask, int[] shape)
    {
        var e = mask.Expand(shape);
        return e.ToInt32Array();
    }
}
