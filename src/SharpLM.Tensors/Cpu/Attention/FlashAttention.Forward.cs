// FlashAttention forward: FlashAttention-2 style tiled online softmax.
// One work item = (batch, query head, tile of BlockQ query rows). It walks the key tiles of BlockK keys
// that the tile can see (key tiles entirely above the causal diagonal are never touched), computes the
// score tile S = Q·(scale·K)ᵀ with a register-blocked micro-GEMM, adds ALiBi, masks, and folds the tile
// into a per-row running max m, running sum l and unnormalised output accumulator O (rescaled by
// exp(m_old - m_new) when the max grows). Dropout multiplies the probabilities after they were added to l,
// so l (and lse) describe the undropped softmax, as the backward expects. With segment ids, key tiles whose
// segments do not meet the query tile's are skipped, and in the others a key of another segment scores −∞. Scratch: one key tile (transposed),
// one score tile, one O accumulator and m/l rows per worker thread — O(BlockQ·(BlockK + D)), independent of T.
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

public static unsafe partial class FlashAttention
{
    private struct FwdCtx
    {
        public float* Q, K, V, O, Lse, Alibi;
        public float* KT;
        public int* Seg;   // null, or segment ids [B, Tk]  // null, or scale·Kᵀ for all heads: [B, Hkv, D, Tk] (pre-transposed once when the query has several tiles)
        public int B, Hq, Hkv, Tq, Tk, D, Off, NQT;
        public float Scale, DropP;
        public bool Causal;
        public ulong Seed;
    }

    /// <summary>Fused attention forward; see the class header for shapes and semantics.</summary>
    public static void Forward(float* q, float* k, float* v, float* output, float* lse,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale,
        bool causal, float* alibiSlopes, float dropoutP, ulong seed, int* segments = null)
    {
        Validate(nameof(Forward), q, k, v, output, lse, batch, qHeads, kvHeads, tq, tk, headDim, scale, dropoutP);
        ValidateSegments(nameof(Forward), segments, tq, tk);
        FwdCtx c;
        c.Seg = segments;
        c.Q = q; c.K = k; c.V = v; c.O = output; c.Lse = lse; c.Alibi = alibiSlopes;
        c.B = batch; c.Hq = qHeads; c.Hkv = kvHeads; c.Tq = tq; c.Tk = tk; c.D = headDim;
        c.Off = tk - tq; c.NQT = (tq + BlockQ - 1) / BlockQ;
        c.Scale = scale; c.DropP = dropoutP; c.Causal = causal; c.Seed = seed;
        long items = (long)batch * qHeads * c.NQT;
        if (items > int.MaxValue) throw new ArgumentException("FlashAttention.Forward: too many work items.", nameof(batch));
        c.KT = null;
        if (c.NQT > 1)
        {
            // Every query tile of a head reads every key tile: transpose scale·K once per call instead of once per
            // (query tile, key tile). O(Tk·D) per kv head, like K itself.
            c.KT = CallScratch((long)batch * kvHeads * headDim * tk);
            Threading.WorkerPool.Shared.For(batch * kvHeads * ((tk + BlockK - 1) / BlockK), &TransposeKeysItem, &c);
        }
        Threading.WorkerPool.Shared.For((int)items, &ForwardItem, &c);
    }

    /// <summary>KT[b, kvh, :, j0:j0+64] = scale · K[b, kvh, j0:j0+64, :]ᵀ for one key block.</summary>
    private static void TransposeKeysItem(int idx, void* ctx)
    {
        FwdCtx* c = (FwdCtx*)ctx;
        int keyBlocks = (c->Tk + BlockK - 1) / BlockK;
        int bkv = idx / keyBlocks, j0 = idx % keyBlocks * BlockK;
        int D = c->D, Tk = c->Tk, kn = Math.Min(BlockK, Tk - j0);
        float* src = c->K + ((long)bkv * Tk + j0) * D;
        float* dst = c->KT + (long)bkv * D * Tk + j0;
        float scale = c->Scale;
        for (int d = 0; d < D; d++)
        {
            float* drow = dst + (long)d * Tk;
            for (int jj = 0; jj < kn; jj++) drow[jj] = src[(long)jj * D + d] * scale;
        }
    }

    private static void ForwardItem(int idx, void* ctx)
    {
        FwdCtx* c = (FwdCtx*)ctx;
        int bhCount = c->B * c->Hq;
        // Heaviest (last, under causal masking) query tiles first for better load balance.
        int bh = idx % bhCount;
        int qt = c->NQT - 1 - idx / bhCount;
        int b = bh / c->Hq, h = bh % c->Hq;
        int kvh = h / (c->Hq / c->Hkv);
        int D = c->D, Tq = c->Tq, Tk = c->Tk, off = c->Off;
        int i0 = qt * BlockQ, qn = Math.Min(BlockQ, Tq - i0);
        float* q = c->Q + ((long)bh * Tq + i0) * D;
        float* kBase = c->K + (long)(b * c->Hkv + kvh) * Tk * D;
        float* vBase = c->V + (long)(b * c->Hkv + kvh) * Tk * D;
        float* o = c->O + ((long)bh * Tq + i0) * D;
        float* lseOut = c->Lse + (long)bh * Tq + i0;

        int kEnd = c->Causal ? Math.Min(Tk, i0 + qn + off) : Tk; // keys [0, kEnd) visible to some row of the tile
        if (kEnd <= 0)
        {
            new Span<float>(o, qn * D).Clear();
            new Span<float>(lseOut, qn).Fill(float.NegativeInfinity);
            return;
        }

        float* scratch = TileScratch(ForwardTileFloats(D));
        float* kt = scratch;                                  // [D, BlockK]  scale·Kᵀ tile
        float* s = kt + Round16((long)D * BlockK);            // [BlockQ, BlockK] scores / probabilities
        float* acc = s + Round16(BlockQ * BlockK);            // [BlockQ, D] unnormalised output
        float* m = acc + Round16((long)BlockQ * D);           // [BlockQ] running max
        float* l = m + Round16(BlockQ);                       // [BlockQ] running sum
        new Span<float>(acc, qn * D).Clear();
        new Span<float>(m, qn).Fill(float.NegativeInfinity);
        new Span<float>(l, qn).Clear();

        float scale = c->Scale;
        bool hasAlibi = c->Alibi != null;
        float slope = hasAlibi ? c->Alibi[h] : 0f;
        float dropP = c->DropP;
        bool dropout = dropP > 0f;
        float invKeep = dropout ? 1f / (1f - dropP) : 1f;
        int* seg = c->Seg == null ? null : c->Seg + (long)b * Tk;
        var qSeg = seg == null ? (0, 0) : SegmentRange(seg, i0 + off, i0 + off + qn);

        for (int j0 = 0; j0 < kEnd; j0 += BlockK)
        {
            int kn = Math.Min(BlockK, kEnd - j0);
            if (seg != null)
            {
                var kSeg = SegmentRange(seg, j0, j0 + kn);
                if (kSeg.Max < qSeg.Item1 || kSeg.Min > qSeg.Item2) continue;   // no query of the tile shares a segment with these keys
            }
            if (c->KT != null)
            {
                TileGemm.Run(q, D, 1, c->KT + (long)(b * c->Hkv + kvh) * D * Tk + j0, Tk, s, BlockK, qn, kn, D, accumulate: false);
            }
            else
            {
                // scale·Kᵀ for this key tile.
                float* kr = kBase + (long)j0 * D;
                for (int jj = 0; jj < kn; jj++)
                {
                    float* src = kr + (long)jj * D;
                    for (int d = 0; d < D; d++) kt[(long)d * BlockK + jj] = src[d] * scale;
                }
                TileGemm.Run(q, D, 1, kt, BlockK, s, BlockK, qn, kn, D, accumulate: false);
            }

            for (int r = 0; r < qn; r++)
            {
                int i = i0 + r;
                float* sr = s + r * BlockK;
                int nv = c->Causal ? Math.Min(kn, i + off - j0 + 1) : kn;
                if (nv > 0 && seg != null && MaskOtherSegments(sr, seg, j0, nv, seg[i + off]) == 0) nv = 0;
                if (nv <= 0) { new Span<float>(sr, kn).Clear(); continue; }
                if (hasAlibi) AttentionRowOps.AddRamp(sr, nv, slope * (j0 - i - off), slope);
                float mOld = m[r];
                float mNew = MathF.Max(mOld, AttentionRowOps.Max(sr, nv));
                float sum = AttentionRowOps.ExpSub(sr, nv, mNew);
                if (seg != null && ZeroOtherSegments(sr, seg, j0, nv, seg[i + off])) sum = TensorPrimitives.Sum(new ReadOnlySpan<float>(sr, nv));
                float alpha = MathF.Exp(mOld - mNew);
                l[r] = l[r] * alpha + sum;
                m[r] = mNew;
                if (alpha != 1f) AttentionRowOps.Scale(acc + (long)r * D, D, alpha);
                if (dropout)
                {
                    ulong rowKey = DropoutRowKey(c->Seed, b, h, i);
                    for (int jj = 0; jj < nv; jj++)
                        sr[jj] = UniformAt(rowKey, j0 + jj) >= dropP ? sr[jj] * invKeep : 0f;
                }
                if (nv < kn) new Span<float>(sr + nv, kn - nv).Clear();
            }
            TileGemm.Run(s, BlockK, 1, vBase + (long)j0 * D, D, acc, D, qn, D, kn, accumulate: true);
        }

        for (int r = 0; r < qn; r++)
        {
            var dst = new Span<float>(o + (long)r * D, D);
            if (l[r] > 0f)
            {
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(acc + (long)r * D, D), 1f / l[r], dst);
                lseOut[r] = m[r] + MathF.Log(l[r]);
            }
            else
            {
                dst.Clear();
                lseOut[r] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>Scores of keys j0..j0+n of another segment than <paramref name="own"/> become −∞; returns how many keys stay visible.</summary>
    internal static int MaskOtherSegments(float* row, int* seg, int j0, int n, int own)
    {
        int visible = 0;
        for (int jj = 0; jj < n; jj++)
            if (seg[j0 + jj] != own) row[jj] = float.NegativeInfinity; else visible++;
        return visible;
    }

    /// <summary>Sets the probabilities of keys of another segment to exactly 0 (after exp); true if there were any.</summary>
    internal static bool ZeroOtherSegments(float* row, int* seg, int j0, int n, int own)
    {
        bool any = false;
        for (int jj = 0; jj < n; jj++)
            if (seg[j0 + jj] != own) { row[jj] = 0f; any = true; }
        return any;
    }
}
