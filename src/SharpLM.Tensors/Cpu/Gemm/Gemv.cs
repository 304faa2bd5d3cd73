// Gemv: the m == 1 case (a row vector times a matrix), which is bound by streaming B from memory.
// transB (B stored [n, k], e.g. an LM head): each output is a dot product of the contiguous B row with
// x, four rows at a time so x is loaded once per four B loads. !transB (B stored [k, n]): a block of
// columns is held in vector accumulators while k rows of B stream past (broadcast-FMA per row).
// Work items are fixed blocks of n (and batch), each written by one thread: deterministic.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Tensors.Threading;

namespace SharpLM.Tensors.Cpu.Gemm;

internal static unsafe class Gemv
{
    private const int RowsPerItem = 64;   // transB: B rows (outputs) per work item
    private const int ColsPerItem = 2048; // !transB: output columns per work item (8 KiB accumulator block in L1)

    private struct Job
    {
        public float* A, B, C;
        public long StrideA, StrideB, StrideC;
        public int Lda, Ldb, N, K, ItemsPerBatch;
        public bool TransA, TransB, Accumulate;
        public IsaLevel Level;
    }

    [ThreadStatic] private static float* t_x;
    [ThreadStatic] private static int t_xCap;

    public static void Run(IsaLevel level, int batch, bool transA, bool transB, int n, int k,
                           float* a, int lda, long strideA, float* b, int ldb, long strideB,
                           float* c, long strideC, bool accumulate)
    {
        int per = transB ? (n + RowsPerItem - 1) / RowsPerItem : (n + ColsPerItem - 1) / ColsPerItem;
        Job job = new()
        {
            A = a, B = b, C = c, StrideA = strideA, StrideB = strideB, StrideC = strideC,
            Lda = lda, Ldb = ldb, N = n, K = k, ItemsPerBatch = per,
            TransA = transA, TransB = transB, Accumulate = accumulate, Level = level,
        };
        long items = (long)batch * per;
        if (items > int.MaxValue) throw new ArgumentException("Sgemm: too many work items in one call.", nameof(batch));
        WorkerPool.Shared.For((int)items, &Item, &job);
    }

    private static void Item(int item, void* ctx)
    {
        Job* j = (Job*)ctx;
        int bi = item / j->ItemsPerBatch, r = item - bi * j->ItemsPerBatch;
        float* x = j->A + bi * j->StrideA;
        float* b = j->B + bi * j->StrideB;
        float* c = j->C + bi * j->StrideC;
        int k = j->K;
        // op(A) is 1 x k; with transA it is a column of A, elements lda apart.
        int xStride = j->TransA ? j->Lda : 1;
        if (j->TransB)
        {
            if (xStride != 1)
            {
                float* buf = Scratch(k);
                for (int p = 0; p < k; p++) buf[p] = x[(long)p * xStride];
                x = buf;
            }
            int r0 = r * RowsPerItem, rows = Math.Min(RowsPerItem, j->N - r0);
            Dots(j->Level, x, b + (long)r0 * j->Ldb, j->Ldb, k, rows, c + r0, j->Accumulate);
        }
        else
        {
            int c0 = r * ColsPerItem, cols = Math.Min(ColsPerItem, j->N - c0);
            Axpys(j->Level, x, xStride, b + c0, j->Ldb, k, cols, c + c0, j->Accumulate);
        }
    }

    private static float* Scratch(int k)
    {
        if (t_xCap < k)
        {
            if (t_x != null) NativeMemory.AlignedFree(t_x);
            int cap = Math.Max(k, 4096);
            t_x = (float*)NativeMemory.AlignedAlloc((nuint)cap * sizeof(float), 64);
            t_xCap = cap;
        }
        return t_x;
    }

    /// <summary>out[r] = (acc ? out[r] : 0) + dot(x, B row r) for r in [0, rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(IsaLevel level, float* x, float* b, int ldb, int k, int rows, float* o, bool acc)
    {
        int r = 0;
        if (level == IsaLevel.Avx512)
        {
            for (; r + 4 <= rows; r += 4)
            {
                float* b0 = b + (long)r * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                var s0 = Vector512<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
                int p = 0;
                for (; p + 16 <= k; p += 16)
                {
                    var xv = Avx512F.LoadVector512(x + p);
                    s0 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(b0 + p), s0);
                    s1 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(b1 + p), s1);
                    s2 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(b2 + p), s2);
                    s3 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(b3 + p), s3);
                }
                float t0 = Vector512.Sum(s0), t1 = Vector512.Sum(s1), t2 = Vector512.Sum(s2), t3 = Vector512.Sum(s3);
                for (; p < k; p++) { t0 += x[p] * b0[p]; t1 += x[p] * b1[p]; t2 += x[p] * b2[p]; t3 += x[p] * b3[p]; }
                Put(o + r, acc, t0); Put(o + r + 1, acc, t1); Put(o + r + 2, acc, t2); Put(o + r + 3, acc, t3);
            }
        }
        else if (level == IsaLevel.Avx2)
        {
            for (; r + 4 <= rows; r += 4)
            {
                float* b0 = b + (long)r * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
                var s0 = Vector256<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    var xv = Avx.LoadVector256(x + p);
                    s0 = Fma.MultiplyAdd(xv, Avx.LoadVector256(b0 + p), s0);
                    s1 = Fma.MultiplyAdd(xv, Avx.LoadVector256(b1 + p), s1);
                    s2 = Fma.MultiplyAdd(xv, Avx.LoadVector256(b2 + p), s2);
                    s3 = Fma.MultiplyAdd(xv, Avx.LoadVector256(b3 + p), s3);
                }
                float t0 = Vector256.Sum(s0), t1 = Vector256.Sum(s1), t2 = Vector256.Sum(s2), t3 = Vector256.Sum(s3);
                for (; p < k; p++) { t0 += x[p] * b0[p]; t1 += x[p] * b1[p]; t2 += x[p] * b2[p]; t3 += x[p] * b3[p]; }
                Put(o + r, acc, t0); Put(o + r + 1, acc, t1); Put(o + r + 2, acc, t2); Put(o + r + 3, acc, t3);
            }
        }
        for (; r < rows; r++)
        {
            float* br = b + (long)r * ldb;
            float t = 0;
            for (int p = 0; p < k; p++) t += x[p] * br[p];
            Put(o + r, acc, t);
        }
    }

    /// <summary>out[0..cols) = (acc ? out : 0) + Σ_p x[p*xs] * B[p, 0..cols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpys(IsaLevel level, float* x, int xs, float* b, int ldb, int k, int cols, float* o, bool acc)
    {
        int q = 0;
        if (level == IsaLevel.Avx512 && cols >= 16)
        {
            // Sum into an L1-resident block, eight k rows per pass: each pass streams eight long contiguous
            // B rows (prefetcher-friendly) and touches the accumulators once per eight FMAs.
            int w = cols & ~15;
            float* raw = stackalloc float[ColsPerItem + 16];
            float* s = (float*)(((nuint)raw + 63) & ~(nuint)63);
            new Span<float>(s, w).Clear();
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                var x0 = Vector512.Create(x[(long)p * xs]);
                var x1 = Vector512.Create(x[(long)(p + 1) * xs]);
                var x2 = Vector512.Create(x[(long)(p + 2) * xs]);
                var x3 = Vector512.Create(x[(long)(p + 3) * xs]);
                var x4 = Vector512.Create(x[(long)(p + 4) * xs]);
                var x5 = Vector512.Create(x[(long)(p + 5) * xs]);
                var x6 = Vector512.Create(x[(long)(p + 6) * xs]);
                var x7 = Vector512.Create(x[(long)(p + 7) * xs]);
                float* r0 = b + (long)p * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
                float* r4 = r3 + ldb, r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb;
                for (int c = 0; c < w; c += 16)
                {
                    var t = Avx512F.LoadAlignedVector512(s + c);
                    t = Avx512F.FusedMultiplyAdd(x0, Avx512F.LoadVector512(r0 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x1, Avx512F.LoadVector512(r1 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x2, Avx512F.LoadVector512(r2 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x3, Avx512F.LoadVector512(r3 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x4, Avx512F.LoadVector512(r4 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x5, Avx512F.LoadVector512(r5 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x6, Avx512F.LoadVector512(r6 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x7, Avx512F.LoadVector512(r7 + c), t);
                    Avx512F.StoreAligned(s + c, t);
                }
            }
            for (; p + 4 <= k; p += 4)
            {
                var x0 = Vector512.Create(x[(long)p * xs]);
                var x1 = Vector512.Create(x[(long)(p + 1) * xs]);
                var x2 = Vector512.Create(x[(long)(p + 2) * xs]);
                var x3 = Vector512.Create(x[(long)(p + 3) * xs]);
                float* r0 = b + (long)p * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
                for (int c = 0; c < w; c += 16)
                {
                    var t = Avx512F.LoadAlignedVector512(s + c);
                    t = Avx512F.FusedMultiplyAdd(x0, Avx512F.LoadVector512(r0 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x1, Avx512F.LoadVector512(r1 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x2, Avx512F.LoadVector512(r2 + c), t);
                    t = Avx512F.FusedMultiplyAdd(x3, Avx512F.LoadVector512(r3 + c), t);
                    Avx512F.StoreAligned(s + c, t);
                }
            }
            for (; p < k; p++)
            {
                var x0 = Vector512.Create(x[(long)p * xs]);
                float* r0 = b + (long)p * ldb;
                for (int c = 0; c < w; c += 16)
                    Avx512F.StoreAligned(s + c, Avx512F.FusedMultiplyAdd(x0, Avx512F.LoadVector512(r0 + c), Avx512F.LoadAlignedVector512(s + c)));
            }
            for (int c = 0; c < w; c += 16) Put16(o + c, acc, Avx512F.LoadAlignedVector512(s + c));
            q = w;
        }
        else if (level == IsaLevel.Avx512)
        {
            for (; q + 128 <= cols; q += 128)
            {
                var s0 = Vector512<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0; var s4 = s0; var s5 = s0; var s6 = s0; var s7 = s0;
                float* bp = b + q;
                for (int p = 0; p < k; p++)
                {
                    var xv = Vector512.Create(x[(long)p * xs]);
                    s0 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp), s0);
                    s1 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 16), s1);
                    s2 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 32), s2);
                    s3 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 48), s3);
                    s4 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 64), s4);
                    s5 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 80), s5);
                    s6 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 96), s6);
                    s7 = Avx512F.FusedMultiplyAdd(xv, Avx512F.LoadVector512(bp + 112), s7);
                    bp += ldb;
                }
                float* op = o + q;
                Put16(op, acc, s0); Put16(op + 16, acc, s1); Put16(op + 32, acc, s2); Put16(op + 48, acc, s3);
                Put16(op + 64, acc, s4); Put16(op + 80, acc, s5); Put16(op + 96, acc, s6); Put16(op + 112, acc, s7);
            }
            for (; q + 16 <= cols; q += 16)
            {
                var s0 = Vector512<float>.Zero;
                float* bp = b + q;
                for (int p = 0; p < k; p++) { s0 = Avx512F.FusedMultiplyAdd(Vector512.Create(x[(long)p * xs]), Avx512F.LoadVector512(bp), s0); bp += ldb; }
                Put16(o + q, acc, s0);
            }
        }
        else if (level == IsaLevel.Avx2)
        {
            for (; q + 64 <= cols; q += 64)
            {
                var s0 = Vector256<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0; var s4 = s0; var s5 = s0; var s6 = s0; var s7 = s0;
                float* bp = b + q;
                for (int p = 0; p < k; p++)
                {
                    var xv = Vector256.Create(x[(long)p * xs]);
                    s0 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp), s0);
                    s1 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 8), s1);
                    s2 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 16), s2);
                    s3 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 24), s3);
                    s4 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 32), s4);
                    s5 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 40), s5);
                    s6 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 48), s6);
                    s7 = Fma.MultiplyAdd(xv, Avx.LoadVector256(bp + 56), s7);
                    bp += ldb;
                }
                float* op = o + q;
                Put8(op, acc, s0); Put8(op + 8, acc, s1); Put8(op + 16, acc, s2); Put8(op + 24, acc, s3);
                Put8(op + 32, acc, s4); Put8(op + 40, acc, s5); Put8(op + 48, acc, s6); Put8(op + 56, acc, s7);
            }
            for (; q + 8 <= cols; q += 8)
            {
                var s0 = Vector256<float>.Zero;
                float* bp = b + q;
                for (int p = 0; p < k; p++) { s0 = Fma.MultiplyAdd(Vector256.Create(x[(long)p * xs]), Avx.LoadVector256(bp), s0); bp += ldb; }
                Put8(o + q, acc, s0);
            }
        }
        for (; q < cols; q++)
        {
            float t = 0;
            float* bp = b + q;
            for (int p = 0; p < k; p++) { t += x[(long)p * xs] * *bp; bp += ldb; }
            Put(o + q, acc, t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* o, bool acc, float v) => *o = acc ? v + *o : v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put16(float* o, bool acc, Vector512<float> v)
    {
        if (acc) v += Avx512F.LoadVector512(o);
        Avx512F.Store(o, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put8(float* o, bool acc, Vector256<float> v)
    {
        if (acc) v += Avx.LoadVector256(o);
        Avx.Store(o, v);
    }
}
