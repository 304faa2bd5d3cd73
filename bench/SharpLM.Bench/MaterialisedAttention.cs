// MaterialisedAttention: the benchmark's baseline for FlashAttention — the textbook (non-fused) algorithm,
// written fairly: per (batch, head) the full score matrix S = Q·Kᵀ is materialised in a per-thread T×T
// float buffer with vectorised dot products (TensorPrimitives.Dot), causal entries above the diagonal are
// skipped (not computed), softmax is done row by row with vectorised primitives, and O = P·V with
// vectorised axpys. Backward per (batch, kv head) recomputes P, materialises dS in a second T×T buffer and
// forms dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO with axpys. Parallel over heads through the shared WorkerPool,
// so the materialised memory is T·T·4 bytes (forward) or 2·T·T·4 (backward) per head in flight = per thread.
// No dropout / ALiBi (the benchmark does not use them); bottom-right causal like the fused kernel.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static unsafe class MaterialisedAttention
{
    private struct Ctx
    {
        public float* Q, K, V, O, Lse, DO, DQ, DK, DV;
        public int B, Hq, Hkv, Tq, Tk, D;
        public float Scale;
        public bool Causal;
    }

    [ThreadStatic] private static float* t_buf;
    [ThreadStatic] private static long t_cap;

    /// <summary>The calling thread's materialisation buffer, grown to at least <paramref name="floats"/> floats.</summary>
    private static float* Buffer(long floats)
    {
        if (floats > t_cap)
        {
            if (t_buf != null) NativeMemory.AlignedFree(t_buf);
            t_buf = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
            t_cap = floats;
        }
        return t_buf;
    }

    public static long ForwardBytes(int tq, int tk, int threads) => (long)tq * tk * 4 * threads;
    public static long BackwardBytes(int tq, int tk, int threads) => 2L * tq * tk * 4 * threads;

    public static void Forward(float* q, float* k, float* v, float* o, float* lse, int b, int hq, int hkv, int tq, int tk, int d, float scale, bool causal)
    {
        var c = new Ctx { Q = q, K = k, V = v, O = o, Lse = lse, B = b, Hq = hq, Hkv = hkv, Tq = tq, Tk = tk, D = d, Scale = scale, Causal = causal };
        WorkerPool.Shared.For(b * hq, &ForwardHead, &c);
    }

    public static void Backward(float* q, float* k, float* v, float* dOut, float* dq, float* dk, float* dv,
        int b, int hq, int hkv, int tq, int tk, int d, float scale, bool causal)
    {
        var c = new Ctx { Q = q, K = k, V = v, DO = dOut, DQ = dq, DK = dk, DV = dv, B = b, Hq = hq, Hkv = hkv, Tq = tq, Tk = tk, D = d, Scale = scale, Causal = causal };
        WorkerPool.Shared.For(b * hkv, &BackwardGroup, &c);
    }

    /// <summary>Fills P[i, 0..lim] = softmax(scale·q_i·k_j) for one head; returns nothing, writes lse if asked.</summary>
    private static void Probs(Ctx* c, int b, int h, float* p, float* lse)
    {
        int d = c->D, tq = c->Tq, tk = c->Tk, off = tk - tq;
        int kvh = h / (c->Hq / c->Hkv);
        float* q = c->Q + ((long)b * c->Hq + h) * tq * d;
        float* k = c->K + ((long)b * c->Hkv + kvh) * tk * d;
        for (int i = 0; i < tq; i++)
        {
            int n = c->Causal ? Math.Min(tk, i + off + 1) : tk;
            float* row = p + (long)i * tk;
            if (n <= 0) { if (lse != null) lse[i] = float.NegativeInfinity; continue; }
            var qi = new ReadOnlySpan<float>(q + (long)i * d, d);
            for (int j = 0; j < n; j++) row[j] = TensorPrimitives.Dot(qi, new ReadOnlySpan<float>(k + (long)j * d, d)) * c->Scale;
            var r = new Span<float>(row, n);
            float max = TensorPrimitives.Max(r);
            TensorPrimitives.Subtract(r, max, r);
            TensorPrimitives.Exp(r, r);
            float sum = TensorPrimitives.Sum(r);
            TensorPrimitives.Multiply(r, 1f / sum, r);
            if (lse != null) lse[i] = max + MathF.Log(sum);
        }
    }

    private static void ForwardHead(int bh, void* ctx)
    {
        Ctx* c = (Ctx*)ctx;
        int b = bh / c->Hq, h = bh % c->Hq;
        int d = c->D, tq = c->Tq, tk = c->Tk, off = tk - tq;
        float* p = Buffer((long)tq * tk);
        Probs(c, b, h, p, c->Lse + (long)bh * tq);
        int kvh = h / (c->Hq / c->Hkv);
        float* v = c->V + ((long)b * c->Hkv + kvh) * tk * d;
        float* o = c->O + (long)bh * tq * d;
        for (int i = 0; i < tq; i++)
        {
            int n = c->Causal ? Math.Min(tk, i + off + 1) : tk;
            var oi = new Span<float>(o + (long)i * d, d);
            oi.Clear();
            float* row = p + (long)i * tk;
            for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v + (long)j * d, d), row[j], oi, oi);
        }
    }

    private static void BackwardGroup(int bkv, void* ctx)
    {
        Ctx* c = (Ctx*)ctx;
        int b = bkv / c->Hkv, kvh = bkv % c->Hkv;
        int d = c->D, tq = c->Tq, tk = c->Tk, off = tk - tq, group = c->Hq / c->Hkv;
        long tt = (long)tq * tk;
        float* p = Buffer(2 * tt);
        float* ds = p + tt;
        float* k = c->K + ((long)b * c->Hkv + kvh) * tk * d;
        float* v = c->V + ((long)b * c->Hkv + kvh) * tk * d;
        float* dk = c->DK + ((long)b * c->Hkv + kvh) * tk * d;
        float* dv = c->DV + ((long)b * c->Hkv + kvh) * tk * d;
        new Span<float>(dk, tk * d).Clear();
        new Span<float>(dv, tk * d).Clear();
        for (int g = 0; g < group; g++)
        {
            int h = kvh * group + g;
            long bh = (long)b * c->Hq + h;
            Probs(c, b, h, p, null);
            float* q = c->Q + bh * tq * d;
            float* dO = c->DO + bh * tq * d;
            float* dq = c->DQ + bh * tq * d;
            for (int i = 0; i < tq; i++)
            {
                int n = c->Causal ? Math.Min(tk, i + off + 1) : tk;
                var dqi = new Span<float>(dq + (long)i * d, d);
                dqi.Clear();
                if (n <= 0) continue;
                float* pr = p + (long)i * tk, dr = ds + (long)i * tk;
                var gi = new ReadOnlySpan<float>(dO + (long)i * d, d);
                for (int j = 0; j < n; j++) dr[j] = TensorPrimitives.Dot(gi, new ReadOnlySpan<float>(v + (long)j * d, d));
                float di = TensorPrimitives.Dot(new ReadOnlySpan<float>(pr, n), new ReadOnlySpan<float>(dr, n));
                var dsr = new Span<float>(dr, n);
                TensorPrimitives.Subtract(dsr, di, dsr);
                TensorPrimitives.Multiply(dsr, new ReadOnlySpan<float>(pr, n), dsr);
                TensorPrimitives.Multiply(dsr, c->Scale, dsr);
                for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(k + (long)j * d, d), dr[j], dqi, dqi);
            }
            for (int j = 0; j < tk; j++)
            {
                var dkj = new Span<float>(dk + (long)j * d, d);
                var dvj = new Span<float>(dv + (long)j * d, d);
                int i0 = c->Causal ? Math.Max(0, j - off) : 0;
                for (int i = i0; i < tq; i++)
                {
                    long at = (long)i * tk + j;
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(q + (long)i * d, d), ds[at], dkj, dkj);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(dO + (long)i * d, d), p[at], dvj, dvj);
                }
            }
        }
    }
}
