// LowRankLinear: the fused form of a LoRA projection, y = x·Wᵀ (+ bias) + s·(x·Aᵀ)·Bᵀ. The low-rank product is
// accumulated by the GEMM into the base product's output (no temporary [.., out] tensor and no extra add pass), and
// backward writes dx = g·W and then accumulates s·(g·B)·A into it the same way; dW is computed only when W requires a
// gradient (a frozen base costs no weight-gradient GEMM). W is [out, in], or [in, out] for GPT-2's Conv1D layout.
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>x [..., in] → x·Wᵀ + bias + <paramref name="scale"/>·(x·Aᵀ)·Bᵀ [..., out]; A [r, in], B [out, r].</summary>
    public static Tensor LowRankLinear(Tensor x, Tensor w, Tensor? bias, Tensor a, Tensor b, float scale, bool weightInOut = false)
    {
        int fin = x.Shape[^1];
        int fout = weightInOut ? w.Shape[1] : w.Shape[0];
        int r = a.Shape[0];
        if (w.Rank != 2 || (weightInOut ? w.Shape[0] : w.Shape[1]) != fin || a.Rank != 2 || a.Shape[1] != fin || b.Rank != 2 || b.Shape[0] != fout || b.Shape[1] != r)
            throw new ArgumentException($"LowRankLinear: x {ShapeUtil.Format(x.Shape)}, W {ShapeUtil.Format(w.Shape)}{(weightInOut ? " (in, out)" : "")}, A {ShapeUtil.Format(a.Shape)}, B {ShapeUtil.Format(b.Shape)} do not fit (A [r, in], B [out, r]).");
        int m = checked((int)(x.Numel / Math.Max(fin, 1)));
        var x2 = x.Detach().Reshape(m, fin);                                            // (M, in), off the tape
        var wt = weightInOut ? w : w.Transpose(0, 1);                                   // (in, out)
        Tensor h;                                                                       // s·x·Aᵀ: (M, r), kept for backward
        using (GradMode.NoGrad()) h = MulScalar(Matmul(x2, a.Detach().Transpose(0, 1)), scale);
        var o = Tensor.Alloc([m, fout], DType.F32);
        MatmulInto(x2, wt, o, [], m, fout, fin);
        MatmulInto(h, b.Transpose(0, 1), o, [], m, fout, r, accumulate: true);
        var outShape = x.Shape[..^1].ToArray().Append(fout).ToArray();
        var y = o.Reshape(outShape);
        Tensor[] inputs = [x, w, a, b];
        var recorded = GradRecorder.Record(y, "low_rank_linear", inputs, g =>
        {
            var g2 = g.Contiguous().Reshape(m, fout);                                  // (M, out)
            var dhs = MulScalar(Matmul(g2, b), scale);                                  // s·g·B: (M, r)
            Tensor? dx = null;
            if (x.RequiresGrad)
            {
                var dx2 = Tensor.Alloc([m, fin], DType.F32);
                MatmulInto(g2, weightInOut ? w.Transpose(0, 1) : w, dx2, [], m, fin, fout);
                MatmulInto(dhs, a, dx2, [], m, fin, r, accumulate: true);
                dx = dx2.Reshape(x.Shape.ToArray());
            }
            Tensor? dw = w.RequiresGrad ? (weightInOut ? Matmul(x2.Transpose(0, 1), g2) : Matmul(g2.Transpose(0, 1), x2)) : null;
            Tensor? da = a.RequiresGrad ? Matmul(dhs.Transpose(0, 1), x2) : null;     // (r, in)
            Tensor? db = b.RequiresGrad ? Matmul(g2.Transpose(0, 1), h) : null;         // (out, r)
            return [dx, dw, da, db];
        });
        return bias is null ? recorded : Add(recorded, bias);
    }
}
