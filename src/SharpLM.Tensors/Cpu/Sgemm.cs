// Sgemm: the public single-precision matrix multiply entry points (plain, batched, reference).
// Validates arguments, handles the degenerate cases (empty output, k == 0), and dispatches to the
// bandwidth-bound GEMV path (m == 1) or to the packed, cache-blocked GEMM driver in Gemm/ with the
// micro-kernel of the widest ISA available (AVX-512 8x32, AVX2+FMA 6x16, scalar 4x4).
using SharpLM.Tensors.Cpu.Gemm;

namespace SharpLM.Tensors.Cpu;

/// <summary>Row-major single-precision matrix multiplication: C = (accumulate ? C : 0) + op(A)·op(B).</summary>
public static unsafe class Sgemm
{
    /// <summary>
    /// C[m,n] = (accumulate ? C : 0) + Σ_k op(A)[m,k]·op(B)[k,n], all matrices row-major.
    /// op(A) = transA ? Aᵀ (A stored [k, m]) : A (stored [m, k]); op(B) = transB ? Bᵀ (B stored [n, k]) : B (stored [k, n]).
    /// </summary>
    public static void Run(bool transA, bool transB, int m, int n, int k,
                           float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        Validate("Run", 1, transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0);
        GemmDriver.Run(CpuIsa.Level, 1, transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, accumulate);
    }

    /// <summary>
    /// <paramref name="batch"/> independent products C_i = (accumulate ? C_i : 0) + op(A_i)·op(B_i), with
    /// A_i = a + i·strideA, B_i = b + i·strideB, C_i = c + i·strideC (strides in elements; 0 broadcasts an operand).
    /// </summary>
    public static void RunBatched(int batch, bool transA, bool transB, int m, int n, int k,
                                  float* a, int lda, long strideA, float* b, int ldb, long strideB,
                                  float* c, int ldc, long strideC, bool accumulate)
    {
        Validate("RunBatched", batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC);
        GemmDriver.Run(CpuIsa.Level, batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate);
    }

    /// <summary>Same as <see cref="Run"/> but with an explicit ISA level (tests use it to exercise the AVX2 and scalar kernels).</summary>
    internal static void RunWithLevel(IsaLevel level, bool transA, bool transB, int m, int n, int k,
                                      float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        Validate("Run", 1, transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0);
        GemmDriver.Run(Clamp(level), 1, transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, accumulate);
    }

    /// <summary>Batched form of <see cref="RunWithLevel"/>.</summary>
    internal static void RunBatchedWithLevel(IsaLevel level, int batch, bool transA, bool transB, int m, int n, int k,
                                             float* a, int lda, long strideA, float* b, int ldb, long strideB,
                                             float* c, int ldc, long strideC, bool accumulate)
    {
        Validate("RunBatched", batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC);
        GemmDriver.Run(Clamp(level), batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate);
    }

    /// <summary>Plain triple loop with a double accumulator; the ground truth for tests.</summary>
    public static void Reference(bool transA, bool transB, int m, int n, int k,
                                 float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        Validate("Reference", 1, transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                    float bv = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                    s += (double)av * bv;
                }
                float* cp = c + (long)i * ldc + j;
                *cp = accumulate ? (float)(*cp + s) : (float)s;
            }
        }
    }

    private static IsaLevel Clamp(IsaLevel requested)
    {
        if (requested == IsaLevel.Avx512 && !CpuIsa.HasAvx512) requested = IsaLevel.Avx2;
        if (requested == IsaLevel.Avx2 && !CpuIsa.HasAvx2Fma) requested = IsaLevel.Scalar;
        return requested;
    }

    private static void Validate(string method, int batch, bool transA, bool transB, int m, int n, int k,
                                 float* a, int lda, long strideA, float* b, int ldb, long strideB,
                                 float* c, int ldc, long strideC)
    {
        string who = "Sgemm." + method;
        if (batch < 0) throw new ArgumentException($"{who}: batch must be >= 0, got {batch}.", nameof(batch));
        if (m < 0) throw new ArgumentException($"{who}: m must be >= 0, got {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"{who}: n must be >= 0, got {n}.", nameof(n));
        if (k < 0) throw new ArgumentException($"{who}: k must be >= 0, got {k}.", nameof(k));
        int aWidth = transA ? m : k;
        int bWidth = transB ? k : n;
        if (lda < aWidth)
            throw new ArgumentException($"{who}: lda must be at least {aWidth} (A stored [{(transA ? "k, m" : "m, k")}], transA={transA}), got {lda}.", nameof(lda));
        if (ldb < bWidth)
            throw new ArgumentException($"{who}: ldb must be at least {bWidth} (B stored [{(transB ? "n, k" : "k, n")}], transB={transB}), got {ldb}.", nameof(ldb));
        if (ldc < n) throw new ArgumentException($"{who}: ldc must be at least n = {n}, got {ldc}.", nameof(ldc));
        if (batch == 0 || m == 0 || n == 0) return;
        if (k > 0 && a == null) throw new ArgumentException($"{who}: a must be non-null for a {m}x{k} operand.", nameof(a));
        if (k > 0 && b == null) throw new ArgumentException($"{who}: b must be non-null for a {k}x{n} operand.", nameof(b));
        if (c == null) throw new ArgumentException($"{who}: c must be non-null for a {m}x{n} output.", nameof(c));
        if (batch > 1)
        {
            if (strideA < 0) throw new ArgumentException($"{who}: strideA must be >= 0, got {strideA}.", nameof(strideA));
            if (strideB < 0) throw new ArgumentException($"{who}: strideB must be >= 0, got {strideB}.", nameof(strideB));
            long cSpan = (long)(m - 1) * ldc + n;
            if (strideC < cSpan)
                throw new ArgumentException($"{who}: strideC must be at least {cSpan} so outputs do not overlap, got {strideC}.", nameof(strideC));
        }
    }
}
