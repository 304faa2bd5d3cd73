// RowKernels: the public face of the CPU kernels that work on raw f32 rows, so executors outside the autograd
// (the inference engine) run the same LayerNorm/RMSNorm and activation code as Ops instead of restating it.
// Inputs are dense row-major buffers; nothing is saved for backward.
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors.Cpu;

/// <summary>Elementwise activations an executor may apply to a buffer.</summary>
public enum Activation { Relu, Silu, GeluTanh, GeluErf }

/// <summary>Row kernels shared by Ops and the inference engine.</summary>
public static unsafe class RowKernels
{
    /// <summary>y = norm(x)·w (+ b) over <paramref name="rows"/> rows of <paramref name="dim"/>; RMSNorm when <paramref name="rms"/>.</summary>
    public static void Norm(float* x, float* w, float* b, float* y, int rows, int dim, float eps, bool rms)
    {
        float* rstd = stackalloc float[Math.Max(1, Math.Min(rows, 1024))];
        for (int r0 = 0; r0 < rows; r0 += 1024)
        {
            int n = Math.Min(1024, rows - r0);
            NormKernel.Forward(x + (long)r0 * dim, w, b, y + (long)r0 * dim, null, rstd, n, dim, eps, rms);
        }
    }

    /// <summary>y = f(x) over n values (x and y may be the same buffer).</summary>
    public static void Apply(Activation f, float* x, float* y, long n) => UnaryKernel.Forward(f switch
    {
        Activation.Relu => UnaryOp.Relu, Activation.Silu => UnaryOp.Silu,
        Activation.GeluTanh => UnaryOp.GeluTanh, _ => UnaryOp.GeluErf,
    }, x, y, n, 0f);
}
