// GemmDriver: cache blocking and threading for (batched) SGEMM.
// The output of every batch entry is cut into tiles of at most (any) x NC; each tile is one work item
// of WorkerPool.Shared.For, computed entirely by one thread. Per tile, K is walked in blocks of <= KC:
// the KC x tn block of op(B) is packed once (it stays in L2), then for every MR-row micro-panel of op(A)
// (packed into L1) the micro-kernel sweeps all NR-wide B panels. Every C element is therefore formed by
// the same fixed-order sums whatever the tiling or thread count, so results are deterministic.
// The tile shape is chosen by a small cost model (compute + packing, divided over the threads) so
// that both one big product and many small batched ones keep all threads busy.
using System.Runtime.CompilerServices;
using SharpLM.Tensors.Threading;

namespace SharpLM.Tensors.Cpu.Gemm;

internal static unsafe class GemmDriver
{
    private struct Job
    {
        public float* A, B, C;
        public long StrideA, StrideB, StrideC;
        public int Lda, Ldb, Ldc;
        public int M, N, K;
        public bool TransA, TransB, Accumulate;
        public int Tm, Tn, TilesM, TilesN;
    }

    public static void Run(IsaLevel level, int batch, bool transA, bool transB, int m, int n, int k,
                           float* a, int lda, long strideA, float* b, int ldb, long strideB,
                           float* c, int ldc, long strideC, bool accumulate)
    {
        if (batch == 0 || m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (int bi = 0; bi < batch; bi++)
                    for (int i = 0; i < m; i++)
                        new Span<float>(c + bi * strideC + (long)i * ldc, n).Clear();
            return;
        }
        if (m == 1)
        {
            Gemv.Run(level, batch, transA, transB, n, k, a, lda, strideA, b, ldb, strideB, c, strideC, accumulate);
            return;
        }
        switch (level)
        {
            case IsaLevel.Avx512: Go<KernelAvx512>(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate); break;
            case IsaLevel.Avx2: Go<KernelAvx2>(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate); break;
            default: Go<KernelScalar>(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate); break;
        }
    }

    private static void Go<TK>(int batch, bool transA, bool transB, int m, int n, int k,
                               float* a, int lda, long strideA, float* b, int ldb, long strideB,
                               float* c, int ldc, long strideC, bool accumulate) where TK : struct, IMicroKernel
    {
        var pool = WorkerPool.Shared;
        Plan(batch, m, n, k, TK.MR, TK.NR, pool.Threads, out int tm, out int tn);
        Job job = new()
        {
            A = a, B = b, C = c, StrideA = strideA, StrideB = strideB, StrideC = strideC,
            Lda = lda, Ldb = ldb, Ldc = ldc, M = m, N = n, K = k,
            TransA = transA, TransB = transB, Accumulate = accumulate,
            Tm = tm, Tn = tn, TilesM = (m + tm - 1) / tm, TilesN = (n + tn - 1) / tn,
        };
        long items = (long)batch * job.TilesM * job.TilesN;
        if (items > int.MaxValue) throw new ArgumentException("Sgemm: too many tiles in one call.", nameof(batch));
        pool.For((int)items, &Tile<TK>, &job);
    }

    /// <summary>
    /// Picks the tile shape (tm x tn, multiples of MR / NR, tn <= NC) minimising estimated wall time:
    /// (tiles per thread) x (tile compute + tile packing), in units of ~cycles on one core.
    /// </summary>
    internal static void Plan(int batch, int m, int n, int k, int mr, int nr, int threads, out int tm, out int tn)
    {
        int nPanels = (n + nr - 1) / nr, mPanels = (m + mr - 1) / mr;
        int nbMin = (n + GemmScratch.NC - 1) / GemmScratch.NC;
        double best = double.MaxValue;
        tm = mPanels * mr; tn = Math.Min(nPanels * nr, GemmScratch.NC);
        int nbMax = Math.Min(nPanels, nbMin + 4 * threads);
        int mbMax = Math.Min(mPanels, 8 * threads);
        for (int nb = nbMin; nb <= nbMax; nb++)
        {
            int tnc = (n + nb - 1) / nb;
            tnc = (tnc + nr - 1) / nr * nr;
            if (tnc > GemmScratch.NC) continue;
            int nbe = (n + tnc - 1) / tnc;
            for (int mb = 1; mb <= mbMax; mb++)
            {
                int tmc = (m + mb - 1) / mb;
                tmc = (tmc + mr - 1) / mr * mr;
                int mbe = (m + tmc - 1) / tmc;
                long items = (long)batch * mbe * nbe;
                // FMA work at ~16 lanes/cycle, packing at ~0.5 cycle/element, fixed per-tile overhead.
                double tile = (double)tmc * tnc * k / 16.0 + (double)k * (tmc + tnc) * 0.5 + 500;
                double cost = Makespan(items, tile, threads);
                if (cost < best * 0.999) { best = cost; tm = tmc; tn = tnc; }
            }
        }
    }

    /// <summary>Assumed delay before a parked pool worker starts on a new job (~cycles); the caller starts at once.</summary>
    private const double WorkerStartDelay = 600_000;

    /// <summary>
    /// Estimated finish time of <paramref name="items"/> equal tiles claimed dynamically by the caller (starting
    /// at once) and threads-1 workers (starting after <see cref="WorkerStartDelay"/>). Favours enough tiles that a
    /// late worker still takes a fair share, without paying for needless extra packing.
    /// </summary>
    private static double Makespan(long items, double tile, int threads)
    {
        if (threads == 1) return items * tile;
        double best = double.MaxValue;
        long lo = (items + threads - 1) / threads;
        long hi = Math.Min(items, lo + 64);
        for (long mine = lo; mine <= hi; mine++)
        {
            long rest = items - mine;
            long each = (rest + threads - 2) / (threads - 1);
            double t = Math.Max(mine * tile, rest > 0 ? WorkerStartDelay + each * tile : 0);
            if (t < best) best = t;
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TK>(int item, void* ctx) where TK : struct, IMicroKernel
    {
        Job* j = (Job*)ctx;
        int mr = TK.MR, nr = TK.NR;
        int perBatch = j->TilesM * j->TilesN;
        int bi = item / perBatch, r = item - bi * perBatch;
        int im = r / j->TilesN, jn = r - im * j->TilesN;
        int m0 = im * j->Tm, rowsT = Math.Min(j->Tm, j->M - m0);
        int n0 = jn * j->Tn, colsT = Math.Min(j->Tn, j->N - n0);
        float* a = j->A + bi * j->StrideA;
        float* b = j->B + bi * j->StrideB;
        float* c = j->C + bi * j->StrideC;
        int lda = j->Lda, ldb = j->Ldb, ldc = j->Ldc, k = j->K;
        bool transA = j->TransA, transB = j->TransB;
        GemmScratch.Get(out float* packB, out float* packA, out float* tile);

        int kBlocks = (k + GemmScratch.KC - 1) / GemmScratch.KC;
        int kcNominal = (k + kBlocks - 1) / kBlocks;
        for (int pc = 0; pc < k; pc += kcNominal)
        {
            int kc = Math.Min(kcNominal, k - pc);
            bool load = j->Accumulate || pc > 0;
            GemmPack.PackB<TK>(transB, b, ldb, pc, kc, n0, colsT, packB);
            for (int i0 = 0; i0 < rowsT; i0 += mr)
            {
                int rows = Math.Min(mr, rowsT - i0);
                GemmPack.PackA<TK>(transA, a, lda, m0 + i0, rows, pc, kc, packA);
                float* cRow = c + (long)(m0 + i0) * ldc + n0;
                for (int j0 = 0; j0 < colsT; j0 += nr)
                {
                    int cols = Math.Min(nr, colsT - j0);
                    float* bp = packB + (long)j0 * kc;
                    if (rows == mr && cols == nr)
                    {
                        TK.Run(kc, packA, bp, cRow + j0, ldc, load);
                    }
                    else
                    {
                        TK.Run(kc, packA, bp, tile, nr, false);
                        for (int i = 0; i < rows; i++)
                        {
                            float* dst = cRow + (long)i * ldc + j0;
                            float* src = tile + i * nr;
                            if (load) for (int q = 0; q < cols; q++) dst[q] = src[q] + dst[q];
                            else for (int q = 0; q < cols; q++) dst[q] = src[q];
                        }
                    }
                }
            }
        }
    }
}
