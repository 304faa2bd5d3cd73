// TEMPORARY placeholder with the agreed API; replaced by the packed, register-blocked kernel (gemm branch).
namespace SharpLM.Tensors.Cpu;

public static unsafe class Sgemm
{
    public static void Run(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        => Reference(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    public static void RunBatched(int batch, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, long strideA, float* b, int ldb, long strideB, float* c, int ldc, long strideC, bool accumulate)
    {
        for (int i = 0; i < batch; i++) Run(transA, transB, m, n, k, a + i * strideA, lda, b + i * strideB, ldb, c + i * strideC, ldc, accumulate);
    }

    public static void Reference(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + (float)s : (float)s;
            }
    }
}
