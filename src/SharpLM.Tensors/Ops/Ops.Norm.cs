// LayerNorm and RMSNorm over the last dim, with optional affine weight (and bias for LayerNorm).
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>LayerNorm over the last dim: (x − μ)/√(σ² + eps) · weight + bias.</summary>
    public static Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f) => Norm(x, weight, bias, eps, rms: false);

    /// <summary>RMSNorm over the last dim: x/√(mean(x²) + eps) · weight.</summary>
    public static Tensor RmsNorm(Tensor x, Tensor? weight, float eps = 1e-6f) => Norm(x, weight, null, eps, rms: true);

    private static Tensor Norm(Tensor x, Tensor? weight, Tensor? bias, float eps, bool rms)
    {
        string name = rms ? "RmsNorm" : "LayerNorm";
        if (x.Rank < 1) throw new ArgumentException($"{name}: input must have at least one dim.");
        int n = x.Shape[^1];
        foreach (var (p, pn) in new[] { (weight, "weight"), (bias, "bias") })
            if (p is not null && (p.Rank != 1 || p.Shape[0] != n))
                throw new ArgumentException($"{name}: {pn} shape {ShapeUtil.Format(p.Shape)} must be [{n}] to match input {ShapeUtil.Format(x.Shape)}.");
        var xd = x.DenseF32(name);
        var wd = weight?.DenseF32(name); var bd = bias?.DenseF32(name);
        long rows = n == 0 ? 0 : x.Numel / n;
        var y = Tensor.Alloc(x.Shape, DType.F32);
        var mean = rms ? null : Tensor.Alloc([(int)rows], DType.F32);
        var rstd = Tensor.Alloc([(int)rows], DType.F32);
        Backend.Current.Norm(xd, wd, bd, y, mean, rstd, rows, n, eps, rms);
        var inputs = bias is not null ? new[] { x, weight!, bias } : weight is not null ? new[] { x, weight } : new[] { x };
        return GradRecorder.Record(y, rms ? "rms_norm" : "layer_norm", inputs, g =>
        {
            var gd = g.DenseF32(name + " backward");
            var dx = Tensor.Alloc(x.Shape, DType.F32);
            var dw = weight is { RequiresGrad: true } ? Tensor.Zeros([n]) : null;
            var db = bias is { RequiresGrad: true } ? Tensor.Zeros([n]) : null;
            Backend.Current.NormBackward(xd, wd, mean, rstd, gd, dx, dw, db, rows, n, rms);
            return inputs.Length switch { 3 => [dx, dw, db], 2 => [dx, dw], _ => [dx] };
        });
    }
}
