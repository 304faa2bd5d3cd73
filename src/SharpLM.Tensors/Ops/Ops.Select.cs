// Selection by mask: masked_fill (constant where a broadcast mask is set) and where (pick from two tensors
// by a broadcast condition). Masks and conditions are i32 tensors, nonzero meaning true.
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

public static unsafe partial class Ops
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
        float* xp = xd.F32Pointer, yp = y.F32Pointer;
        for (long i = 0; i < y.Numel; i++) yp[i] = m[i] != 0 ? value : xp[i];
        return GradRecorder.Record(y, "masked_fill", x, g =>
        {
            var gd = g.DenseF32("MaskedFill backward");
            var dx = Tensor.Alloc(shape, DType.F32);
            float* gp = gd.F32Pointer, dp = dx.F32Pointer;
            for (long i = 0; i < dx.Numel; i++) dp[i] = m[i] != 0 ? 0f : gp[i];
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
        float* ap = ad.F32Pointer, bp = bd.F32Pointer, yp = y.F32Pointer;
        for (long i = 0; i < y.Numel; i++) yp[i] = m[i] != 0 ? ap[i] : bp[i];
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(y, "where", [cond, a, b], g =>
        {
            var gd = g.DenseF32("Where backward");
            var ga = Tensor.Alloc(shape, DType.F32); var gb = Tensor.Alloc(shape, DType.F32);
            float* gp = gd.F32Pointer, pa = ga.F32Pointer, pb = gb.F32Pointer;
            for (long i = 0; i < y.Numel; i++) { bool c = m[i] != 0; pa[i] = c ? gp[i] : 0f; pb[i] = c ? 0f : gp[i]; }
            return [null, a.RequiresGrad ? SumToShape(ga, sa) : null, b.RequiresGrad ? SumToShape(gb, sb) : null];
        });
    }

    private static int[] ExpandMask(Tensor mask, int[] shape)
    {
        var e = mask.Expand(shape);
        return e.ToInt32Array();
    }
}
