// NormKernel: LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019) over the last dim, forward
// (saving per-row mean/rstd) and backward:
//   x̂ = (x − μ)·rstd, y = x̂·w + b;  dx = rstd·(dŷ − mean(dŷ) − x̂·mean(dŷ·x̂)) with dŷ = dy·w
//   RMS: x̂ = x·rstd, y = x̂·w;       dx = rstd·(dŷ − x̂·mean(dŷ·x̂))
// Weight/bias gradients are summed over rows in a fixed order (deterministic).
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class NormKernel
{
    public static void Forward(float* x, float* w, float* b, float* y, float* mean, float* rstd, long rows, int n, float eps, bool rms)
    {
        nint px = (nint)x, pw = (nint)w, pb = (nint)b, py = (nint)y, pm = (nint)mean, pr = (nint)rstd;
        CpuParallel.Rows(rows, n * 4, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var xs = new ReadOnlySpan<float>((float*)px + r * n, n);
                var ys = new Span<float>((float*)py + r * n, n);
                double mu = 0, var = 0;
                if (!rms) { foreach (var v in xs) mu += v; mu /= n; }
                foreach (var v in xs) { double dv = v - mu; var += dv * dv; }
                var /= n;
                float rs = (float)(1.0 / Math.Sqrt(var + eps));
                if (pm != 0) ((float*)pm)[r] = (float)mu;
                ((float*)pr)[r] = rs;
                TensorPrimitives.Subtract(xs, (float)mu, ys);
                TensorPrimitives.Multiply(ys, rs, ys);
                if (pw != 0) TensorPrimitives.Multiply(ys, new ReadOnlySpan<float>((float*)pw, n), ys);
                if (pb != 0) TensorPrimitives.Add(ys, new ReadOnlySpan<float>((float*)pb, n), ys);
            }
        });
    }

    /// <summary>dx for every row; dw/db (may be null) accumulated over rows.</summary>
    public static void Backward(float* x, float* w, float* mean, float* rstd, float* dy, float* dx, float* dw, float* db, long rows, int n, bool rms)
    {
        nint px = (nint)x, pw = (nint)w, pm = (nint)mean, pr = (nint)rstd, pdy = (nint)dy, pdx = (nint)dx;
        CpuParallel.Rows(rows, n * 8, (r0, r1) =>
        {
            // Row scratch on the stack for usual widths; a heap buffer only for very wide rows.
            var heap = n > 8192 ? new float[n * 2] : null;
            Span<float> buf = heap ?? stackalloc float[n * 2];
            fixed (float* scratch = buf)
            {
                float* xh = scratch, dyh = scratch + n;
                for (long r = r0; r < r1; r++)
                {
                    float* xr = (float*)px + r * n; float* gr = (float*)pdy + r * n; float* dr = (float*)pdx + r * n;
                    float mu = pm != 0 ? ((float*)pm)[r] : 0f, rs = ((float*)pr)[r];
                    double sumDy = 0, sumDyXh = 0;
                    for (int j = 0; j < n; j++)
                    {
                        xh[j] = (xr[j] - mu) * rs;
                        dyh[j] = pw != 0 ? gr[j] * ((float*)pw)[j] : gr[j];
                        sumDy += dyh[j];
                        sumDyXh += dyh[j] * xh[j];
                    }
                    float mDy = rms ? 0f : (float)(sumDy / n), mDyXh = (float)(sumDyXh / n);
                    for (int j = 0; j < n; j++) dr[j] = rs * (dyh[j] - mDy - xh[j] * mDyXh);
                }
            }
        });
        if (dw == null && db == null) return;
        // Parameter gradients: column sums over rows, in row order.
        for (long r = 0; r < rows; r++)
        {
            float* xr = x + r * n; float* gr = dy + r * n;
            float mu = mean != null ? mean[r] : 0f, rs = rstd[r];
            for (int j = 0; j < n; j++)
            {
                if (dw != null) dw[j] += gr[j] * (xr[j] - mu) * rs;
                if (db != null) db[j] += gr[j];
            }
        }
    }
}
