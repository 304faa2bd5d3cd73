// Sinusoidal position table of "Attention Is All You Need": pe[p, 2i] = sin(p/10000^(2i/d)),
// pe[p, 2i+1] = cos(p/10000^(2i/d)).
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

/// <summary>Fixed sinusoidal position encodings.</summary>
public static class SinusoidalPositions
{
    /// <summary>[count, dim] table for positions start..start+count−1.</summary>
    public static Tensor Table(int start, int count, int dim)
    {
        var pe = new float[count * dim];
        for (int p = 0; p < count; p++)
            for (int i = 0; i < dim; i += 2)
            {
                double ang = (start + p) / Math.Pow(10000, i / (double)dim);
                pe[p * dim + i] = (float)Math.Sin(ang);
                if (i + 1 < dim) pe[p * dim + i + 1] = (float)Math.Cos(ang);
            }
        return Tensor.FromArray(pe, count, dim);
    }
}
