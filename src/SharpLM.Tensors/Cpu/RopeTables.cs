// RopeTables: the rotary-embedding angle tables both executors use — angle(p, i) = (p / linearFactor) ·
// θ^(−2i/d) in double, stored as f32 cos/sin [positions, d/2] — and the rotation of one head vector in either
// layout (HF halves: dims i and i + d/2 pair; GGUF/Meta pairs: dims 2i and 2i+1). Ops.Rope (autograd, via
// RopeKernel) and the inference engine call these, so RoPE has one definition.
namespace SharpLM.Tensors.Cpu;

public static unsafe class RopeTables
{
    /// <summary>cos/sin [positions.Length, d/2] for the given absolute positions.</summary>
    public static (float[] Cos, float[] Sin) For(ReadOnlySpan<int> positions, int headDim, float theta, float linearFactor = 1f)
    {
        int half = headDim / 2;
        var cos = new float[(long)positions.Length * half];
        var sin = new float[(long)positions.Length * half];
        for (int p = 0; p < positions.Length; p++)
            for (int i = 0; i < half; i++)
            {
                double ang = positions[p] / (double)linearFactor * Math.Pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = (float)Math.Cos(ang);
                sin[p * half + i] = (float)Math.Sin(ang);
            }
        return (cos, sin);
    }

    /// <summary>cos/sin for positions 0..count-1.</summary>
    public static (float[] Cos, float[] Sin) Range(int count, int headDim, float theta, float linearFactor = 1f)
    {
        var pos = new int[count];
        for (int i = 0; i < count; i++) pos[i] = i;
        return For(pos, headDim, theta, linearFactor);
    }

    /// <summary>y = rotate(x) for one head vector of <paramref name="d"/> values; <paramref name="sign"/> −1 rotates back (backward).</summary>
    public static void Rotate(float* x, float* y, int d, float* cos, float* sin, RopeLayout layout, float sign = 1f)
    {
        int half = d / 2;
        if (layout == RopeLayout.Halves)
            for (int i = 0; i < half; i++)
            {
                float c = cos[i], s = sign * sin[i], x0 = x[i], x1 = x[i + half];
                y[i] = x0 * c - x1 * s;
                y[i + half] = x0 * s + x1 * c;
            }
        else
            for (int i = 0; i < half; i++)
            {
                float c = cos[i], s = sign * sin[i], x0 = x[2 * i], x1 = x[2 * i + 1];
                y[2 * i] = x0 * c - x1 * s;
                y[2 * i + 1] = x0 * s + x1 * c;
            }
    }
}
