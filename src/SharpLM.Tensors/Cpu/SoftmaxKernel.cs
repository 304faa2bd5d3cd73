// SoftmaxKernel: numerically stable softmax / log-softmax over the last dim of dense rows (subtract the
// row max before exponentiating), and their backward passes.
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class SoftmaxKernel
{
    public static void Forward(float* x, float* y, long rows, int n, bool log)
    {
        nint px = (nint)x, py = (nint)y;
        CpuParallel.Rows(rows, n * 4, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<float>((float*)px + r * n, n);
                var ys = new Span<float>((float*)py + r * n, n);
                float max = TensorPrimitives.Max(xs);
                TensorPrimitives.Subtract(xs, max, ys);
                if (log)
                {
                    float lse = MathF.Log(SumExp(ys));
                    TensorPrimitives.Subtract(ys, lse, ys);
                }
                else
                {
                    TensorPrimitives.Exp(ys, ys);
                    TensorPrimitives.Multiply(ys, 1f / TensorPrimitives.Sum(ys), ys);
                }
            }
        });
    }

    private static float SumExp(ReadOnlySpan<float> shifted)
    {
        float s = 0;
        foreach (var v in shifted) s += MathF.Exp(v);
        return s;
    }

    /// <summary>softmax: dx = y ∘ (g − Σ g∘y); log-softmax: dx = g − exp(y) Σ g.</summary>
    public static void Backward(float* y, float* g, float* dx, long rows, int n, bool log)
    {
        nint py = (nint)y, pg = (nint)g, pd = (nint)dx;
        CpuParallel.Rows(rows, n * 4, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var ys = new ReadOnlySpan<float>((float*)py + r * n, n);
                var gs = new ReadOnlySpan<float>((float*)pg + r * n, n);
                var ds = new Span<float>((float*)pd + r * n, n);
                if (log)
                {
                    float gsum = TensorPrimitives.Sum(gs);
                    for (int j = 0; j < n; j++) ds[j] = gs[j] - MathF.Exp(ys[j]) * gsum;
                }
                else
                {
                    float dot = TensorPrimitives.Dot(gs, ys);
                    TensorPrimitives.Subtract(gs, dot, ds);
                    TensorPrimitives.Multiply(ds, ys, ds);
                }
            }
        });
    }
}
