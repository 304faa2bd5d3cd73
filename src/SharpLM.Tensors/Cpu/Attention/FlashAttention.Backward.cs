// FlashAttention backward: FlashAttention-2 style tiled online softmax, recomputation variant.
// Nothing of size Tq×Tk is stored: probabilities are recomputed per tile from q, k and the saved lse,
// P = exp(S - lse). With Pd = P∘Z/(1-p) the dropped probabilities (Z the regenerated dropout mask):
//   dV += Pdᵀ·dO,   dPd = dO·Vᵀ,   dS = scale · P ∘ (dPd∘Z/(1-p) − Dᵢ),   dQ += dS·K,   dK += dSᵀ·Q,
// where Dᵢ = rowsum(dO∘O) (= Σⱼ Pd_ij dPd_ij, so it already accounts for dropout) is precomputed in a
// first parallel pass. Work item = (batch, kv head, chunk of consecutive key blocks): it owns the dK/dV
// rows of its key blocks (accumulated in tile scratch over every query head of the GQA group and every
// query tile that can see the block, then written once), so dK/dV never race. dQ rows are shared by all
// key blocks: chunk 0 accumulates straight into dq, chunk c > 0 into its own partial dq buffer, and a last
// pass adds the partials in chunk order — deterministic. The chunk count only grows beyond 1 when
// batch·kvHeads is too small to keep every thread busy (it depends on the thread count, so results are
// bit-identical run to run for a fixed thread count).
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

public static unsafe partial class FlashAttention
{
    private struct BwdCtx
    {
        public float* Q, K, V, O, Lse, DO, DQ, DK, DV, Alibi;
        public float* Dsum;      // [B, Hq, Tq] rowsum(dO∘O)
        public float* Partials;  // [chunks-1, B, Hq, Tq, D]
        public int* ChunkStart;  // [chunks+1] first key block of each chunk
        public int* Seg;         // null, or segment ids [B, Tk]
        public int B, Hq, Hkv, Tq, Tk, D, Off, Chunks;
        public float Scale, DropP;
        public bool Causal;
        public ulong Seed;
    }

    /// <summary>How many key-block chunks each (batch, kv head) is split into in the backward pass.</summary>
    internal static int BackwardChunks(int batch, int kvHeads, int tk, int threads)
    {
        int keyBlocks = (tk + BlockK - 1) / BlockK;
        long groups = (long)batch * kvHeads;
        long want = (2L * threads + groups - 1) / groups;
        return (int)Math.Clamp(want, 1, keyBlocks);
    }

    /// <summary>Fused attention backward; overwrites dq, dk, dv. See the class header for shapes and semantics.</summary>
    public static void Backward(float* q, float* k, float* v, float* output, float* lse, float* dOut,
        float* dq, float* dk, float* dv,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed, int* segments = null)
    {
        Validate(nameof(Backward), q, k, v, output, lse, batch, qHeads, kvHeads, tq, tk, headDim, scale, dropoutP);
        ValidateBackward(dOut, dq, dk, dv);
        ValidateSegments(nameof(Backward), segments, tq, tk);

        var pool = Threading.WorkerPool.Shared;
        int chunks = BackwardChunks(batch, kvHeads, tk, pool.Threads);
        int keyBlocks = (tk + BlockK - 1) / BlockK;
        int off = tk - tq;

        // Split the key blocks into chunks of roughly equal work (under causal masking early blocks are seen
        // by more query rows).
        int* chunkStart = stackalloc int[chunks + 1];
        {
            long total = 0;
            for (int kb = 0; kb < keyBlocks; kb++) total += BlockWork(kb, tq, off, causal);
            long prefix = 0;
            int kbi = 0;
            chunkStart[0] = 0;
            for (int ch = 1; ch < chunks; ch++)
            {
                long target = total * ch / chunks;
                int minK = chunkStart[ch - 1] + 1, maxK = keyBlocks - (chunks - ch);
                while (kbi < maxK && (kbi < minK || prefix + BlockWork(kbi, tq, off, causal) / 2 < target))
                {
                    prefix += BlockWork(kbi, tq, off, causal);
                    kbi++;
                }
                chunkStart[ch] = kbi;
            }
            chunkStart[chunks] = keyBlocks;
        }

        long rows = (long)batch * qHeads * tq;
        float* call = CallScratch(Round16(rows) + (chunks - 1L) * rows * headDim);

        BwdCtx c;
        c.Seg = segments;
        c.Q = q; c.K = k; c.V = v; c.O = output; c.Lse = lse; c.DO = dOut; c.DQ = dq; c.DK = dk; c.DV = dv;
        c.Alibi = alibiSlopes; c.Dsum = call; c.Partials = call + Round16(rows); c.ChunkStart = chunkStart;
        c.B = batch; c.Hq = qHeads; c.Hkv = kvHeads; c.Tq = tq; c.Tk = tk; c.D = headDim; c.Off = off; c.Chunks = chunks;
        c.Scale = scale; c.DropP = dropoutP; c.Causal = causal; c.Seed = seed;

        pool.For(batch * qHeads, &BackwardPrepare, &c);
        pool.For(batch * kvHeads * chunks, &BackwardItem, &c);
        if (chunks > 1) pool.For(batch * qHeads, &BackwardReduce, &c);
    }

    /// <summary>Number of query rows that see key block kb (work estimate for chunking).</summary>
    private static long BlockWork(int kb, int tq, int off, bool causal)
    {
        if (!causal) return tq;
        long first = Math.Max(0L, (long)kb * BlockK - off);
        return Math.Max(0L, tq - first);
    }

    /// <summary>Per (batch, query head): D = rowsum(dO∘O), zero dq and this head's dq partials.</summary>
    private static void BackwardPrepare(int bh, void* ctx)
    {
        BwdCtx* c = (BwdCtx*)ctx;
        int D = c->D, Tq = c->Tq;
        long rowBase = (long)bh * Tq;
        float* o = c->O + rowBase * D;
        float* dO = c->DO + rowBase * D;
        float* ds = c->Dsum + rowBase;
        for (int i = 0; i < Tq; i++)
            ds[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(o + (long)i * D, D), new ReadOnlySpan<float>(dO + (long)i * D, D));
        new Span<float>(c->DQ + rowBase * D, Tq * D).Clear();
        long stride = (long)c->B * c->Hq * Tq * D;
        for (int ch = 1; ch < c->Chunks; ch++)
            new Span<float>(c->Partials + (ch - 1) * stride + rowBase * D, Tq * D).Clear();
    }

    /// <summary>Per (batch, query head): dq += partials[1..] in chunk order.</summary>
    private static void BackwardReduce(int bh, void* ctx)
    {
        BwdCtx* c = (BwdCtx*)ctx;
        long n = (long)c->Tq * c->D;
        float* dq = c->DQ + bh * n;
        long stride = (long)c->B * c->Hq * n;
        var dst = new Span<float>(dq, (int)n);
        for (int ch = 1; ch < c->Chunks; ch++)
            TensorPrimitives.Add(dst, new ReadOnlySpan<float>(c->Partials + (ch - 1) * stride + bh * n, (int)n), dst);
    }

    private static void BackwardItem(int idx, void* ctx)
    {
        BwdCtx* c = (BwdCtx*)ctx;
        int chunk = idx % c->Chunks;
        int bkv = idx / c->Chunks;
        int b = bkv / c->Hkv, kvh = bkv % c->Hkv;
        int D = c->D, Tq = c->Tq, Tk = c->Tk, off = c->Off, Hq = c->Hq;
        int group = Hq / c->Hkv;
        float scale = c->Scale;
        float dropP = c->DropP;
        bool dropout = dropP > 0f;
        float invKeep = dropout ? 1f / (1f - dropP) : 1f;
        float* dqTarget = chunk == 0 ? c->DQ : c->Partials + (chunk - 1) * ((long)c->B * Hq * Tq * D);

        float* scratch = TileScratch(BackwardTileFloats(D));
        float* kt = scratch;                                   // [D, BlockK] scale·Kᵀ
        float* vt = kt + Round16((long)D * BlockK);            // [D, BlockK] Vᵀ
        float* dkAcc = vt + Round16((long)D * BlockK);         // [BlockK, D]
        float* dvAcc = dkAcc + Round16((long)BlockK * D);      // [BlockK, D]
        float* p = dvAcc + Round16((long)BlockK * D);          // [BlockQ, BlockK] P (undropped)
        float* pd = p + Round16(BlockQ * BlockK);              // [BlockQ, BlockK] dropped P (dropout only)
        float* dp = pd + Round16(BlockQ * BlockK);             // [BlockQ, BlockK] dPd then dS
        float* mz = dp + Round16(BlockQ * BlockK);             // [BlockQ, BlockK] dropout multiplier
        float* pdUse = dropout ? pd : p;

        long kvBase = (long)(b * c->Hkv + kvh) * Tk * D;
        int* seg = c->Seg == null ? null : c->Seg + (long)b * Tk;
        for (int kb = c->ChunkStart[chunk]; kb < c->ChunkStart[chunk + 1]; kb++)
        {
            int j0 = kb * BlockK, kn = Math.Min(BlockK, Tk - j0);
            var kSeg = seg == null ? (0, 0) : SegmentRange(seg, j0, j0 + kn);
            float* kr = c->K + kvBase + (long)j0 * D;
            float* vr = c->V + kvBase + (long)j0 * D;
            new Span<float>(dkAcc, kn * D).Clear();
            new Span<float>(dvAcc, kn * D).Clear();
            int qStart = c->Causal ? Math.Max(0, j0 - off) : 0;   // first query row that sees key j0
            if (qStart < Tq)
            {
                for (int jj = 0; jj < kn; jj++)
                {
                    float* ks = kr + (long)jj * D, vs = vr + (long)jj * D;
                    for (int d = 0; d < D; d++)
                    {
                        kt[(long)d * BlockK + jj] = ks[d] * scale;
                        vt[(long)d * BlockK + jj] = vs[d];
                    }
                }
                for (int g = 0; g < group; g++)
                {
                    int h = kvh * group + g;
                    long bh = (long)b * Hq + h;
                    float slope = c->Alibi != null ? c->Alibi[h] : 0f;
                    for (int i0 = qStart / BlockQ * BlockQ; i0 < Tq; i0 += BlockQ)
                    {
                        int qn = Math.Min(BlockQ, Tq - i0);
                        if (seg != null)
                        {
                            var qSeg = SegmentRange(seg, i0 + off, i0 + off + qn);
                            if (kSeg.Item2 < qSeg.Item1 || kSeg.Item1 > qSeg.Item2) continue;   // fully masked tile
                        }
                        long rowBase = bh * Tq + i0;
                        float* qr = c->Q + rowBase * D;
                        float* dOr = c->DO + rowBase * D;
                        float* lse = c->Lse + rowBase;
                        float* dsum = c->Dsum + rowBase;

                        // S = Q·(scale·K)ᵀ, then P = exp(S + bias − lse), masked.
                        TileGemm.Run(qr, D, 1, kt, BlockK, p, BlockK, qn, kn, D, accumulate: false);
                        for (int r = 0; r < qn; r++)
                        {
                            int i = i0 + r;
                            float* pr = p + r * BlockK;
                            int nv = c->Causal ? Math.Clamp(i + off - j0 + 1, 0, kn) : kn;
                            if (float.IsNegativeInfinity(lse[r])) nv = 0;   // a row that sees no key at all
                            if (nv > 0)
                            {
                                if (c->Alibi != null) AttentionRowOps.AddRamp(pr, nv, slope * (j0 - i - off), slope);
                                AttentionRowOps.ExpSub(pr, nv, lse[r]);
                                if (seg != null) ZeroOtherSegments(pr, seg, j0, nv, seg[i + off]);
                            }
                            if (nv < kn) new Span<float>(pr + nv, kn - nv).Clear();
                            if (dropout)
                            {
                                float* mr = mz + r * BlockK, pdr = pd + r * BlockK;
                                ulong rowKey = DropoutRowKey(c->Seed, b, h, i);
                                for (int jj = 0; jj < nv; jj++)
                                {
                                    float f = UniformAt(rowKey, j0 + jj) >= dropP ? invKeep : 0f;
                                    mr[jj] = f;
                                    pdr[jj] = pr[jj] * f;
                                }
                                for (int jj = nv; jj < kn; jj++) { mr[jj] = 0f; pdr[jj] = 0f; }
                            }
                        }

                        // dV += Pdᵀ·dO
                        TileGemm.Run(pdUse, 1, BlockK, dOr, D, dvAcc, D, kn, D, qn, accumulate: true);
                        // dPd = dO·Vᵀ
                        TileGemm.Run(dOr, D, 1, vt, BlockK, dp, BlockK, qn, kn, D, accumulate: false);
                        // dS = scale · P ∘ (dPd∘Z/(1-p) − D)
                        for (int r = 0; r < qn; r++)
                        {
                            AttentionRowOps.SoftmaxGrad(dp + r * BlockK, p + r * BlockK, dropout ? mz + r * BlockK : null, kn, dsum[r], scale);
                        }
                        // dQ += dS·K
                        TileGemm.Run(dp, BlockK, 1, kr, D, dqTarget + rowBase * D, D, qn, D, kn, accumulate: true);
                        // dK += dSᵀ·Q
                        TileGemm.Run(dp, 1, BlockK, qr, D, dkAcc, D, kn, D, qn, accumulate: true);
                    }
                }
            }
            new Span<float>(dkAcc, kn * D).CopyTo(new Span<float>(c->DK + kvBase + (long)j0 * D, kn * D));
            new Span<float>(dvAcc, kn * D).CopyTo(new Span<float>(c->DV + kvBase + (long)j0 * D, kn * D));
        }
    }
}
