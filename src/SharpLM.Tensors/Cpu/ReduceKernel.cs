// ReduceKernel: sum and max/argmax along one dim of a dense tensor viewed as [outer, dim, inner]. When
// inner == 1 each output is a vector reduction of a contiguous row; otherwise whole inner rows are added
// (vectorised across inner). Sums accumulate in f32 in a fixed order, so results are deterministic.
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class ReduceKernel
{
    public static void Sum(float* x, float* o, long outer, int dim, long inner)
    {
        nint px = (nint)x, po = (nint)o;
        CpuParallel.Rows(outer, dim * inner, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                float* src = (float*)px + r * dim * inner;
                float* dst = (float*)po + r * inner;
                if (inner == 1) { dst[0] = TensorPrimitives.Sum(new ReadOnlySpan<float>(src, dim)); continue; }
                var d = new Span<float>(dst, (int)inner);
                new ReadOnlySpan<float>(src, (int)inner).CopyTo(d);
                for (int j = 1; j < dim; j++) TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + j * inner, (int)inner), d);
            }
        });
    }

    /// <summary>Max values and first index of the max along dim (NaN propagates as the max, like PyTorch).</summary>
    public static void Max(float* x, float* values, int* indices, long outer, int dim, long inner)
    {
        for (long r = 0; r < outer; r++)
            for (long c = 0; c < inner; c++)
            {
                float* src = x + r * dim * inner + c;
                float best = src[0]; int bi = 0;
                for (int j = 1; j < dim; j++)
                {
                    float v = src[j * inner];
                    if (float.IsNaN(best)) break;
                    if (v > best || float.IsNaN(v)) { best = v; bi = j; }
                }
                if (values != null) values[r * inner + c] = best;
                indices[r * inner + c] = bi;
            }
    }
}
