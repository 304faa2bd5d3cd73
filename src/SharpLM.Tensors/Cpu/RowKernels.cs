// RowKernels: the public face of the CPU kernels that work on raw f32 rows, so executors outside the autograd
// (the inference engine) run the same LayerNorm/RMSNorm, activation and SwiGLU code as Ops instead of
// restating it (RoPE: RopeTables).
// Inputs are dense row-major buffers; nothing is saved for backward.
using SharpLM.Tensors.Backends;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>y = x / sqrt(mean(x²) + eps) · w over <paramref name="rows"/> rows of <paramref name="dim"/>, one pass in f32 vectors
    /// (the inference engine's decode/prefill form; Ops' NormKernel accumulates in double and saves rstd for backward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsNorm(float* x, float* w, float* y, int rows, int dim, float eps)
    {
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + (long)r * dim, yr = y + (long)r * dim;
            int i = 0;
            float ss = 0;
            if (CpuIsa.HasAvx512)
            {
                var acc = Vector512<float>.Zero;
                for (; i + 16 <= dim; i += 16) { var v = Vector512.Load(xr + i); acc += v * v; }
                ss = Vector512.Sum(acc);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var acc = Vector256<float>.Zero;
                for (; i + 8 <= dim; i += 8) { var v = Vector256.Load(xr + i); acc += v * v; }
                ss = Vector256.Sum(acc);
            }
            for (; i < dim; i++) ss += xr[i] * xr[i];
            float inv = 1f / MathF.Sqrt(ss / dim + eps);
            i = 0;
            if (CpuIsa.HasAvx512)
                for (var vi = Vector512.Create(inv); i + 16 <= dim; i += 16) (Vector512.Load(xr + i) * vi * Vector512.Load(w + i)).Store(yr + i);
            else if (Vector256.IsHardwareAccelerated)
                for (var vi = Vector256.Create(inv); i + 8 <= dim; i += 8) (Vector256.Load(xr + i) * vi * Vector256.Load(w + i)).Store(yr + i);
            for (; i < dim; i++) yr[i] = xr[i] * inv * w[i];
        }
    }

    /// <summary>g = silu(g) · u over n values (the SwiGLU gate, fused: one pass, no temporary).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SwiGlu(float* g, float* u, long n)
    {
        long i = 0;
        if (CpuIsa.HasAvx512)
            for (; i + 16 <= n; i += 16)
            {
                var a = Vector512.Load(g + i);
                (a / (Vector512<float>.One + Vector512.Exp(-a)) * Vector512.Load(u + i)).Store(g + i);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
            {
                var a = Vector256.Load(g + i);
                (a / (Vector256<float>.One + Vector256.Exp(-a)) * Vector256.Load(u + i)).Store(g + i);
            }
        for (; i < n; i++) g[i] = g[i] / (1f + MathF.Exp(-g[i])) * u[i];
    }

    /// <summary>y = f(x) over n values (x and y may be the same buffer).</summary>
    public static void Apply(Activation f, float* x, float* y, long n) => UnaryKernel.Forward(f switch
    {
        Activation.Relu => UnaryOp.Relu, Activation.Silu => UnaryOp.Silu,
        Activation.GeluTanh => UnaryOp.GeluTanh, _ => UnaryOp.GeluErf,
    }, x, y, n, 0f);
}
