// EngineOps: the engine's per-token block operations on raw f32 rows, as thin calls into the kernels the
// autograd Ops use (SharpLM.Tensors.Cpu: RowKernels for RMSNorm/LayerNorm, SwiGLU and activations, RopeTables
// for the rotary tables and rotation), so each operation has one definition. Only the row/head iteration over
// the engine's [tokens, heads·headDim] layout lives here.
using System.Numerics.Tensors;
using SharpLM.Tensors;
using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

internal static unsafe class EngineOps
{
    /// <summary>y = x / sqrt(mean(x²) + eps) · w over <paramref name="rows"/> rows of <paramref name="dim"/>.</summary>
    public static void RmsNorm(float* x, float* w, float* y, int rows, int dim, float eps) =>
        RowKernels.RmsNorm(x, w, y, rows, dim, eps);

    /// <summary>cos/sin table [positions, headDim/2] for RoPE; linear scaling divides positions by <paramref name="linearFactor"/>.</summary>
    public static (float[] Cos, float[] Sin) RopeTable(int positions, int headDim, float theta, float linearFactor = 1f) =>
        RopeTables.Range(positions, headDim, theta, linearFactor);

    /// <summary>Rotates rows x[t, heads·headDim] at positions start+t in the GGUF pairs layout, in place.</summary>
    public static void RopePairs(float* x, int tokens, int heads, int headDim, int start, float* cos, float* sin) =>
        Rope(x, tokens, heads, headDim, start, cos, sin, RopeLayout.Pairs);

    /// <summary>Rotates rows x[t, heads·headDim] at positions start+t in the HF halves layout, in place.</summary>
    public static void RopeHalves(float* x, int tokens, int heads, int headDim, int start, float* cos, float* sin) =>
        Rope(x, tokens, heads, headDim, start, cos, sin, RopeLayout.Halves);

    private static void Rope(float* x, int tokens, int heads, int headDim, int start, float* cos, float* sin, RopeLayout layout)
    {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++)
        {
            float* c = cos + (long)(start + t) * half, s = sin + (long)(start + t) * half;
            for (int h = 0; h < heads; h++)
            {
                float* v = x + ((long)t * heads + h) * headDim;
                RopeTables.Rotate(v, v, headDim, c, s, layout);
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
    public static void SwiGlu(float* g, float* u, long n) => RowKernels.SwiGlu(g, u, n);

    /// <summary>x += y over n values.</summary>
    public static void Add(float* x, float* y, long n) =>
        TensorPrimitives.Add(new ReadOnlySpan<float>(x, checked((int)n)), new ReadOnlySpan<float>(y, (int)n), new Span<float>(x, (int)n));
}
