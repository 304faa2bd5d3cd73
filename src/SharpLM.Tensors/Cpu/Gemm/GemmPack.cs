// GemmPack: copies blocks of A and B into the micro-kernel's panel layouts. A micro-panel: [kc][MR]
// (MR rows of op(A) interleaved per k); B block: panels of NR columns, each [kc][NR]. All four
// transpose combinations are absorbed here (contiguous copies for the "natural" layouts, 8x8 / 4-wide
// transposes for the others), so no transposed matrix is ever materialised. Edges are zero-padded.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Tensors.Cpu.Gemm;

internal static unsafe class GemmPack
{
    /// <summary>Packs rows [i0, i0+rows) x k [k0, k0+kc) of op(A) into dst as [kc][MR], zero-padding rows to MR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TK>(bool transA, float* a, int lda, int i0, int rows, int k0, int kc, float* dst)
        where TK : struct, IMicroKernel
    {
        int mr = TK.MR;
        if (transA)
        {
            // A stored [k, m]: each k gives MR contiguous values.
            float* src = a + (long)k0 * lda + i0;
            if (rows == mr && mr == 8 && Avx.IsSupported)
            {
                for (int p = 0; p < kc; p++) { Avx.StoreAligned(dst + p * 8, Avx.LoadVector256(src)); src += lda; }
                return;
            }
            for (int p = 0; p < kc; p++)
            {
                float* d = dst + p * mr;
                int i = 0;
                for (; i < rows; i++) d[i] = src[i];
                for (; i < mr; i++) d[i] = 0;
                src += lda;
            }
            return;
        }
        // A stored [m, k]: transpose MR rows into k-major order.
        float* s0 = a + (long)i0 * lda + k0;
        if (rows == 8 && mr == 8 && Avx.IsSupported)
        {
            int p = 0;
            for (; p + 8 <= kc; p += 8) Transpose8x8(s0 + p, lda, dst + p * 8, 8);
            for (; p < kc; p++)
                for (int i = 0; i < 8; i++) dst[p * 8 + i] = s0[(long)i * lda + p];
            return;
        }
        for (int i = 0; i < mr; i++)
        {
            float* d = dst + i;
            if (i < rows)
            {
                float* s = s0 + (long)i * lda;
                for (int p = 0; p < kc; p++) d[p * mr] = s[p];
            }
            else
            {
                for (int p = 0; p < kc; p++) d[p * mr] = 0;
            }
        }
    }

    /// <summary>Packs k [k0, k0+kc) x columns [n0, n0+cols) of op(B) into NR-wide panels [kc][NR], zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TK>(bool transB, float* b, int ldb, int k0, int kc, int n0, int cols, float* dst)
        where TK : struct, IMicroKernel
    {
        int nr = TK.NR;
        int full = cols / nr * nr;
        if (!transB && full > 0 && (nr & 7) == 0 && Avx.IsSupported)
        {
            // B stored [k, n]: walk each k row once left to right (one sequential stream), scattering
            // NR-wide pieces into the panels; the ragged last panel is done below.
            float* src = b + (long)k0 * ldb + n0;
            long panel = (long)nr * kc;
            for (int p = 0; p < kc; p++)
            {
                float* d = dst + p * nr;
                for (int j0 = 0; j0 < full; j0 += nr, d += panel)
                    for (int q = 0; q < nr; q += 8) Avx.StoreAligned(d + q, Avx.LoadVector256(src + j0 + q));
                src += ldb;
            }
            if (full == cols) return;
            PackB<TK>(transB, b, ldb, k0, kc, n0 + full, cols - full, dst + (long)full * kc);
            return;
        }
        for (int j0 = 0; j0 < cols; j0 += nr)
        {
            int w = Math.Min(nr, cols - j0);
            float* d = dst + (long)j0 * kc;
            if (!transB)
            {
                // B stored [k, n]: each k row gives NR contiguous values.
                float* src = b + (long)k0 * ldb + n0 + j0;
                if (w == nr && (nr & 7) == 0 && Avx.IsSupported)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int q = 0; q < nr; q += 8) Avx.StoreAligned(d + q, Avx.LoadVector256(src + q));
                        src += ldb; d += nr;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        int q = 0;
                        for (; q < w; q++) d[q] = src[q];
                        for (; q < nr; q++) d[q] = 0;
                        src += ldb; d += nr;
                    }
                }
            }
            else
            {
                // B stored [n, k]: transpose NR rows of B into k-major order.
                float* s0 = b + (long)(n0 + j0) * ldb + k0;
                if (w == nr && (nr & 7) == 0 && Avx.IsSupported)
                {
                    int p = 0;
                    for (; p + 8 <= kc; p += 8)
                        for (int q = 0; q < nr; q += 8)
                            Transpose8x8(s0 + (long)q * ldb + p, ldb, d + p * nr + q, nr);
                    for (; p < kc; p++)
                        for (int q = 0; q < nr; q++) d[p * nr + q] = s0[(long)q * ldb + p];
                }
                else
                {
                    for (int q = 0; q < nr; q++)
                    {
                        float* dq = d + q;
                        if (q < w)
                        {
                            float* s = s0 + (long)q * ldb;
                            for (int p = 0; p < kc; p++) dq[p * nr] = s[p];
                        }
                        else
                        {
                            for (int p = 0; p < kc; p++) dq[p * nr] = 0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>dst[c*dstStride + r] = src[r*srcStride + c] for an 8x8 block (AVX shuffles, no gathers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        long s = srcStride;
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + s);
        var r2 = Avx.LoadVector256(src + 2 * s);
        var r3 = Avx.LoadVector256(src + 3 * s);
        var r4 = Avx.LoadVector256(src + 4 * s);
        var r5 = Avx.LoadVector256(src + 5 * s);
        var r6 = Avx.LoadVector256(src + 6 * s);
        var r7 = Avx.LoadVector256(src + 7 * s);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        long d = dstStride;
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + d, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * d, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * d, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * d, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * d, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * d, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * d, Avx.Permute2x128(u3, u7, 0x31));
    }
}
