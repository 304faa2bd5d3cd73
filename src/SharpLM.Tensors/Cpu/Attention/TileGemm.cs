// TileGemm: the small dense product used inside the FlashAttention tiles (FlashAttention-2 style tiled
// online softmax): C[m×n] (+)= A[m×k] · B[k×n]. B is row-major with contiguous columns (it is what gets
// loaded as vectors); A is read one scalar at a time and broadcast, so it can be addressed with any row
// and column stride — a transposed tile (Pᵀ, dSᵀ) needs no copy. Register blocking is 4 rows × 64 columns
// (16 zmm accumulators) on AVX-512 and 4 rows × 16 columns on AVX2; leftovers use 1-row / 1-vector
// kernels and a scalar column tail, so any m, n, k work.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class TileGemm
{
    /// <summary>C[r, col] (+)= Σ_t A[r*ars + t*acs] · B[t*ldb + col] for r &lt; m, col &lt; n.</summary>
    public static void Run(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc,
        int m, int n, int k, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate)
                for (int r = 0; r < m; r++) new Span<float>(c + r * ldc, n).Clear();
            return;
        }
        int col = 0;
        if (CpuIsa.HasAvx512)
        {
            for (; col + 64 <= n; col += 64)
            {
                int r = 0;
                for (; r + 4 <= m; r += 4) K512R4V4(a + r * ars, ars, acs, b + col, ldb, c + r * ldc + col, ldc, k, accumulate);
                for (; r < m; r++) K512R1V4(a + r * ars, acs, b + col, ldb, c + r * ldc + col, k, accumulate);
            }
            for (; col + 16 <= n; col += 16)
            {
                int r = 0;
                for (; r + 4 <= m; r += 4) K512R4V1(a + r * ars, ars, acs, b + col, ldb, c + r * ldc + col, ldc, k, accumulate);
                for (; r < m; r++) K512R1V1(a + r * ars, acs, b + col, ldb, c + r * ldc + col, k, accumulate);
            }
        }
        else if (CpuIsa.HasAvx2Fma)
        {
            for (; col + 16 <= n; col += 16)
            {
                int r = 0;
                for (; r + 4 <= m; r += 4) K256R4V2(a + r * ars, ars, acs, b + col, ldb, c + r * ldc + col, ldc, k, accumulate);
                for (; r < m; r++) K256R1V2(a + r * ars, acs, b + col, ldb, c + r * ldc + col, k, accumulate);
            }
            for (; col + 8 <= n; col += 8)
                for (int r = 0; r < m; r++) K256R1V1(a + r * ars, acs, b + col, ldb, c + r * ldc + col, k, accumulate);
        }
        for (; col < n; col++)
        {
            for (int r = 0; r < m; r++)
            {
                float* ar = a + r * ars;
                float s = 0;
                for (int t = 0; t < k; t++) s = MathF.FusedMultiplyAdd(ar[t * acs], b[t * ldb + col], s);
                if (accumulate) c[r * ldc + col] += s; else c[r * ldc + col] = s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> x, bool accumulate)
    {
        if (accumulate) x += Vector512.Load(c);
        x.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> x, bool accumulate)
    {
        if (accumulate) x += Vector256.Load(c);
        x.Store(c);
    }

    private static void K512R4V4(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int k, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        float* a0 = a, a1 = a + ars, a2 = a + 2 * ars, a3 = a + 3 * ars;
        for (int t = 0; t < k; t++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            var x = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, b2, c02); c03 = Vector512.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, b2, c12); c13 = Vector512.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, b2, c22); c23 = Vector512.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, b2, c32); c33 = Vector512.FusedMultiplyAdd(x, b3, c33);
            a0 += acs; a1 += acs; a2 += acs; a3 += acs; b += ldb;
        }
        Store512(c, c00, accumulate); Store512(c + 16, c01, accumulate); Store512(c + 32, c02, accumulate); Store512(c + 48, c03, accumulate);
        c += ldc;
        Store512(c, c10, accumulate); Store512(c + 16, c11, accumulate); Store512(c + 32, c12, accumulate); Store512(c + 48, c13, accumulate);
        c += ldc;
        Store512(c, c20, accumulate); Store512(c + 16, c21, accumulate); Store512(c + 32, c22, accumulate); Store512(c + 48, c23, accumulate);
        c += ldc;
        Store512(c, c30, accumulate); Store512(c + 16, c31, accumulate); Store512(c + 32, c32, accumulate); Store512(c + 48, c33, accumulate);
    }

    private static void K512R1V4(float* a, nint acs, float* b, nint ldb, float* c, int k, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int t = 0; t < k; t++)
        {
            var x = Vector512.Create(*a);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 48), c3);
            a += acs; b += ldb;
        }
        Store512(c, c0, accumulate); Store512(c + 16, c1, accumulate); Store512(c + 32, c2, accumulate); Store512(c + 48, c3, accumulate);
    }

    private static void K512R4V1(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int k, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* a0 = a, a1 = a + ars, a2 = a + 2 * ars, a3 = a + 3 * ars;
        for (int t = 0; t < k; t++)
        {
            var bv = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), bv, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), bv, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), bv, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), bv, c3);
            a0 += acs; a1 += acs; a2 += acs; a3 += acs; b += ldb;
        }
        Store512(c, c0, accumulate); Store512(c + ldc, c1, accumulate); Store512(c + 2 * ldc, c2, accumulate); Store512(c + 3 * ldc, c3, accumulate);
    }

    private static void K512R1V1(float* a, nint acs, float* b, nint ldb, float* c, int k, bool accumulate)
    {
        Vector512<float> c0 = default;
        for (int t = 0; t < k; t++)
        {
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a), Vector512.Load(b), c0);
            a += acs; b += ldb;
        }
        Store512(c, c0, accumulate);
    }

    private static void K256R4V2(float* a, nint ars, nint acs, float* b, nint ldb, float* c, nint ldc, int k, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* a0 = a, a1 = a + ars, a2 = a + 2 * ars, a3 = a + 3 * ars;
        for (int t = 0; t < k; t++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(*a0);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(*a1);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(*a2);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(*a3);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            a0 += acs; a1 += acs; a2 += acs; a3 += acs; b += ldb;
        }
        Store256(c, c00, accumulate); Store256(c + 8, c01, accumulate); c += ldc;
        Store256(c, c10, accumulate); Store256(c + 8, c11, accumulate); c += ldc;
        Store256(c, c20, accumulate); Store256(c + 8, c21, accumulate); c += ldc;
        Store256(c, c30, accumulate); Store256(c + 8, c31, accumulate);
    }

    private static void K256R1V2(float* a, nint acs, float* b, nint ldb, float* c, int k, bool accumulate)
    {
        Vector256<float> c0 = default, c1 = default;
        for (int t = 0; t < k; t++)
        {
            var x = Vector256.Create(*a);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b), c0);
            c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b + 8), c1);
            a += acs; b += ldb;
        }
        Store256(c, c0, accumulate); Store256(c + 8, c1, accumulate);
    }

    private static void K256R1V1(float* a, nint acs, float* b, nint ldb, float* c, int k, bool accumulate)
    {
        Vector256<float> c0 = default;
        for (int t = 0; t < k; t++)
        {
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(*a), Vector256.Load(b), c0);
            a += acs; b += ldb;
        }
        Store256(c, c0, accumulate);
    }
}
