// KernelAvx2: 6x16 AVX2+FMA micro-kernel. Twelve ymm accumulators (6 rows x 2 vectors of 8), two B
// vectors and one broadcast A value per k step: 15 of the 16 ymm registers, no spills. C lines are
// prefetched before the k loop and added once at the end, so the loop never waits on C.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Tensors.Cpu.Gemm;

internal unsafe struct KernelAvx2 : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool load)
    {
        for (int i = 0; i < 6; i++) { Sse.Prefetch0(c + (long)i * ldc); Sse.Prefetch0(c + (long)i * ldc + 15); }
        Vector256<float> c00 = Vector256<float>.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        Vector256<float> c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(bp);
            var b1 = Avx.LoadAlignedVector256(bp + 8);
            var a = Vector256.Create(ap[0]);
            c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(ap[1]);
            c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(ap[2]);
            c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(ap[3]);
            c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Vector256.Create(ap[4]);
            c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Vector256.Create(ap[5]);
            c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            ap += 6; bp += 16;
        }
        Put(c, load, c00, c01); c += ldc;
        Put(c, load, c10, c11); c += ldc;
        Put(c, load, c20, c21); c += ldc;
        Put(c, load, c30, c31); c += ldc;
        Put(c, load, c40, c41); c += ldc;
        Put(c, load, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, bool load, Vector256<float> x0, Vector256<float> x1)
    {
        if (load) { x0 += Avx.LoadVector256(c); x1 += Avx.LoadVector256(c + 8); }
        Avx.Store(c, x0); Avx.Store(c + 8, x1);
    }
}
