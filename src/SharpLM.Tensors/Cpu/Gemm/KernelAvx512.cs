// KernelAvx512: 8x32 AVX-512 micro-kernel. Sixteen zmm accumulators (8 rows x 2 vectors of 16), two B
// vectors per k step and A values broadcast straight from the packed panel. The JIT may use all 32 zmm
// registers, so nothing spills. C lines are prefetched before the k loop and added once at the end.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Tensors.Cpu.Gemm;

internal unsafe struct KernelAvx512 : IMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool load)
    {
        for (int i = 0; i < 8; i++) { Sse.Prefetch0(c + (long)i * ldc); Sse.Prefetch0(c + (long)i * ldc + 31); }
        Vector512<float> c00 = Vector512<float>.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        Vector512<float> c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx512F.LoadAlignedVector512(bp);
            var b1 = Avx512F.LoadAlignedVector512(bp + 16);
            var a = Vector512.Create(ap[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(ap[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(ap[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(ap[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(ap[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(ap[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(ap[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, b0, c60); c61 = Avx512F.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(ap[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, b0, c70); c71 = Avx512F.FusedMultiplyAdd(a, b1, c71);
            ap += 8; bp += 32;
        }
        Put(c, load, c00, c01); c += ldc;
        Put(c, load, c10, c11); c += ldc;
        Put(c, load, c20, c21); c += ldc;
        Put(c, load, c30, c31); c += ldc;
        Put(c, load, c40, c41); c += ldc;
        Put(c, load, c50, c51); c += ldc;
        Put(c, load, c60, c61); c += ldc;
        Put(c, load, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, bool load, Vector512<float> x0, Vector512<float> x1)
    {
        if (load) { x0 += Avx512F.LoadVector512(c); x1 += Avx512F.LoadVector512(c + 16); }
        Avx512F.Store(c, x0); Avx512F.Store(c + 16, x1);
    }
}
