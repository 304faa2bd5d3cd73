// IndexKernels: the CPU loops that move values by index — embedding gather and scatter-add, max's backward
// scatter, and select-by-mask (masked_fill / where). Moved here unchanged from Ops so Ops reaches them only
// through the backend.
namespace SharpLM.Tensors.Cpu;

internal static unsafe class IndexKernels
{
    /// <summary>o[i, :] = w[idx[i], :] for rows of <paramref name="dim"/> floats.</summary>
    public static void Gather(float* w, int[] idx, float* o, int dim)
    {
        long n = idx.Length;
        for (long i = 0; i < n; i++) Buffer.MemoryCopy(w + (long)idx[i] * dim, o + i * dim, dim * 4L, dim * 4L);
    }

    /// <summary>dw[idx[i], :] += g[i, :], in index order.</summary>
    public static void ScatterAdd(float* g, int[] idx, float* dw, int dim)
    {
        long n = idx.Length;
        for (long i = 0; i < n; i++)
        {
            var row = new Span<float>(dw + (long)idx[i] * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<float>(g + i * dim, dim), row);
        }
    }

    /// <summary>dx[r, ip[r, c], c] += g[r, c] over x viewed as [outer, n, inner].</summary>
    public static void MaxBackward(float* gp, int* ip, float* dp, long outer, int n, long inner)
    {
        for (long r = 0; r < outer; r++)
            for (long c = 0; c < inner; c++)
                dp[(r * n + ip[r * inner + c]) * inner + c] += gp[r * inner + c];
    }

    /// <summary>y[i] = m[i] != 0 ? (a?[i] ?? av) : (b?[i] ?? bv).</summary>
    public static void Select(int[] m, float* a, float av, float* b, float bv, float* y, long n)
    {
        if (a != null && b != null) for (long i = 0; i < n; i++) y[i] = m[i] != 0 ? a[i] : b[i];
        else if (a != null) for (long i = 0; i < n; i++) y[i] = m[i] != 0 ? a[i] : bv;
        else if (b != null) for (long i = 0; i < n; i++) y[i] = m[i] != 0 ? av : b[i];
        else for (long i = 0; i < n; i++) y[i] = m[i] != 0 ? av : bv;
    }
}
