// Softmax and log-softmax over any dim (a non-last dim is moved last through a transposed view).
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>Softmax over <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor x, int dim = -1) => SoftmaxAny(x, dim, log: false);

    /// <summary>Log-softmax over <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor x, int dim = -1) => SoftmaxAny(x, dim, log: true);

    private static Tensor SoftmaxAny(Tensor x, int dim, bool log)
    {
        string name = log ? "LogSoftmax" : "Softmax";
        int d = ShapeUtil.NormalizeDim(dim, x.Rank, name);
        if (d != x.Rank - 1) return SoftmaxAny(x.Transpose(d, -1), -1, log).Transpose(d, -1).Contiguous();
        var xd = x.DenseF32(name);
        int n = x.Shape[^1];
        long rows = n == 0 ? 0 : x.Numel / n;
        var y = Tensor.Alloc(x.Shape, DType.F32);
        Backend.Current.Softmax(xd, y, rows, n, log);
        return GradRecorder.Record(y, log ? "log_softmax" : "softmax", x, g =>
        {
            var gd = g.DenseF32(name + " backward");
            var dx = Tensor.Alloc(y.Shape, DType.F32);
            Backend.Current.SoftmaxBackward(y, gd, dx, rows, n, log);
            return [dx];
        });
    }
}
