// EngineOps: the small per-token operations of the LLaMA block on raw f32 rows — RMSNorm, rotary embedding
// in the GGUF "pairs" layout (dims 2i, 2i+1 rotate by pos·θ^(−2i/d), table precomputed in double), SwiGLU
// (silu(gate)·up) and the residual add. Vectorised with Vector512, or Vector256 where AVX-512 is absent
// (Vector512 is emulated element by element there).
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

internal static unsafe class EngineOps
{
    /// <summary>y = x / sqrt(mean(x²) + eps) · w over <paramref name="rows"/> rows of <paramref name="dim"/>.</summary>
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

    /// <summary>cos/sin table [positions, headDim/2] for RoPE; linear scaling divides positions by <paramref name="linearFactor"/>.</summary>
    public static (float[] Cos, float[] Sin) RopeTable(int positions, int headDim, float theta, float linearFactor = 1f)
    {
        int half = headDim / 2;
        var cos = new float[(long)positions * half];
        var sin = new float[(long)positions * half];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < half; i++)
            {
                double ang = p / (double)linearFactor * Math.Pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = (float)Math.Cos(ang);
                sin[p * half + i] = (float)Math.Sin(ang);
            }
        return (cos, sin);
    }

    /// <summary>Rotates rows x[t, heads·headDim] at positions start+t (pairs layout), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RopePairs(float* x, int tokens, int heads, int headDim, int start, float* cos, float* sin)
    {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++)
        {
            float* c = cos + (long)(start + t) * half, s = sin + (long)(start + t) * half;
            for (int h = 0; h < heads; h++)
            {
                float* v = x + ((long)t * heads + h) * headDim;
                for (int i = 0; i < half; i++)
                {
                    float x0 = v[2 * i], x1 = v[2 * i + 1];
                    v[2 * i] = x0 * c[i] - x1 * s[i];
                    v[2 * i + 1] = x0 * s[i] + x1 * c[i];
                }
            }
        }
    }

    /// <summary>Rotates rows x[t, heads·headDim] at positions start+t in the HF halves layout (dims i and i + d/2 pair), in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RopeHalves(float* x, int tokens, int heads, int headDim, int start, float* cos, float* sin)
    {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++)
        {
            float* c = cos + (long)(start + t) * half, s = sin + (long)(start + t) * half;
            for (int h = 0; h < heads; h++)
            {
                float* v = x + ((long)t * heads + h) * headDim;
                for (int i = 0; i < half; i++)
                {
                    float x0 = v[i], x1 = v[i + half];
                    v[i] = x0 * c[i] - x1 * s[i];
                    v[i + half] = x0 * s[i] + x1 * c[i];
                }
            }
        }
    }

    /// <summary>ALiBi slopes of <paramref name="heads"/> heads (Press et al. 2022; non-powers of two as in Baichuan/BLOOM), the values Ops.AlibiSlopes gives.</summary>
    public static float[] AlibiSlopes(int heads)
    {
        using var t = SharpLM.Tensors.Ops.AlibiSlopes(heads);
        return t.ToArray();
    }

    /// <summary>g = silu(g) · u over n values.</summary>
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

    /// <summary>x += y over n values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* x, float* y, long n)
    {
        long i = 0;
        if (CpuIsa.HasAvx512) for (; i + 16 <= n; i += 16) (Vector512.Load(x + i) + Vector512.Load(y + i)).Store(x + i);
        else if (Vector256.IsHardwareAccelerated) for (; i + 8 <= n; i += 8) (Vector256.Load(x + i) + Vector256.Load(y + i)).Store(x + i);
        for (; i < n; i++) x[i] += y[i];
    }
}
