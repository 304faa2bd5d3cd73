// KernelScalar: portable 4x4 micro-kernel for CPUs without AVX2+FMA. Plain multiply-adds in registers.
namespace SharpLM.Tensors.Cpu.Gemm;

internal unsafe struct KernelScalar : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;

    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool load)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = bp[0], b1 = bp[1], b2 = bp[2], b3 = bp[3];
            float a0 = ap[0], a1 = ap[1], a2 = ap[2], a3 = ap[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            ap += 4; bp += 4;
        }
        Put(c, load, c00, c01, c02, c03); c += ldc;
        Put(c, load, c10, c11, c12, c13); c += ldc;
        Put(c, load, c20, c21, c22, c23); c += ldc;
        Put(c, load, c30, c31, c32, c33);
    }

    private static void Put(float* c, bool load, float x0, float x1, float x2, float x3)
    {
        if (load) { x0 += c[0]; x1 += c[1]; x2 += c[2]; x3 += c[3]; }
        c[0] = x0; c[1] = x1; c[2] = x2; c[3] = x3;
    }
}
