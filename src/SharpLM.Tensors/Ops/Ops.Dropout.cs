// Dropout (Srivastava et al. 2014), inverted: kept elements are scaled by 1/(1−p) in training so eval is the
// identity. The mask comes from a counter-based hash of (seed, element index), so backward regenerates it
// instead of storing it, and it does not depend on the thread count.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>Zeroes each element with probability <paramref name="p"/> (training only), scaling the rest by 1/(1−p).</summary>
    public static Tensor Dropout(Tensor x, float p, ulong seed, bool training = true)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        if (!training || p == 0) return x;
        var xd = x.DenseF32("Dropout");
        var y = Tensor.Alloc(x.Shape, DType.F32);
        Backend.Current.Dropout(xd, y, p, seed);
        return GradRecorder.Record(y, "dropout", x, g =>
        {
            var gd = g.DenseF32("Dropout backward");
            var dx = Tensor.Alloc(gd.Shape, DType.F32);
            Backend.Current.Dropout(gd, dx, p, seed);
            return [dx];
        });
    }
}
