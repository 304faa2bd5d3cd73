// Rotary position embedding (Su et al., RoFormer) in both memory layouts in use:
//   Halves (GPT-NeoX, Hugging Face LLaMA): dim i pairs with dim i + D/2;
//   Pairs  (GPT-J, llama.cpp, Meta's original LLaMA): dim 2i pairs with dim 2i + 1.
// Angle for pair i at position p: (p / scale) · theta^(−2i/D). Backward rotates by the negative angle.
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

/// <summary>Which dims a rotary embedding rotates together.</summary>
public enum RopeLayout
{
    /// <summary>Dim i with dim i + D/2 (GPT-NeoX / Hugging Face).</summary>
    Halves,
    /// <summary>Dim 2i with dim 2i+1 (GPT-J / llama.cpp).</summary>
    Pairs,
}

public static unsafe partial class Ops
{
    /// <summary>Rotates x [..., T, D] by positions (i32 [T]).</summary>
    public static Tensor Rope(Tensor x, Tensor positions, float theta = 10000f, RopeLayout layout = RopeLayout.Halves, float positionScale = 1f)
    {
        if (x.Rank < 2) throw new ArgumentException($"Rope: input must be [..., T, D], got {ShapeUtil.Format(x.Shape)}.");
        if (positions.DType != DType.I32) throw positions.DTypeError("Rope positions", DType.I32);
        int t = x.Shape[^2], d = x.Shape[^1];
        if (d % 2 != 0) throw new ArgumentException($"Rope: head dim {d} of input {ShapeUtil.Format(x.Shape)} must be even.");
        if (positions.Rank != 1 || positions.Shape[0] != t)
            throw new ArgumentException($"Rope: positions shape {ShapeUtil.Format(positions.Shape)} must be [{t}] to match input {ShapeUtil.Format(x.Shape)}.");
        var pos = positions.ToInt32Array();
        int half = d / 2;
        var cos = new float[t * half]; var sin = new float[t * half];
        for (int p = 0; p < t; p++)
            for (int i = 0; i < half; i++)
            {
                double ang = pos[p] / (double)positionScale * Math.Pow(theta, -2.0 * i / d);
                cos[p * half + i] = (float)Math.Cos(ang); sin[p * half + i] = (float)Math.Sin(ang);
            }
        var xd = x.DenseF32("Rope");
        var y = Tensor.Alloc(x.Shape, DType.F32);
        Rotate(xd.F32Pointer, y.F32Pointer, x.Numel / d, t, d, cos, sin, layout, 1f);
        return GradRecorder.Record(y, "rope", x, g =>
        {
            var gd = g.DenseF32("Rope backward");
            var dx = Tensor.Alloc(gd.Shape, DType.F32);
            Rotate(gd.F32Pointer, dx.F32Pointer, gd.Numel / d, t, d, cos, sin, layout, -1f);
            return [dx];
        });
    }

    private static void Rotate(float* x, float* y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, float sign)
    {
        int half = d / 2;
        for (long r = 0; r < rows; r++)
        {
            int p = (int)(r % t);
            float* xr = x + r * d; float* yr = y + r * d;
            for (int i = 0; i < half; i++)
            {
                float c = cos[p * half + i], s = sign * sin[p * half + i];
                int a = layout == RopeLayout.Halves ? i : 2 * i;
                int b = layout == RopeLayout.Halves ? i + half : 2 * i + 1;
                float x0 = xr[a], x1 = xr[b];
                yr[a] = x0 * c - x1 * s;
                yr[b] = x0 * s + x1 * c;
            }
        }
    }
}
