// CachedAttention: causal softmax attention of new query rows against the paged KV cache (GQA: query head h
// reads kv head h / (heads / kvHeads)). Each row carries its slot's block table and its absolute position p, and
// sees cache positions 0..p — so rows of different sequences in one batch run in one job. Positions are read a
// block at a time (PagedKvCache: BlockSize contiguous rows per kv head), so the inner loops are the same
// contiguous dot/axpy runs as over a flat cache, with one table lookup per block. One WorkerPool item per (row, head); scores live in a per-thread scratch row. Used for
// decode and prefill alike (attention is a small share of the FLOPs at these lengths). The cache holds f32 or
// f16 values (SlotKvCache); f16 rows are converted exactly in registers.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using SharpLM.Tensors.Threading;

using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

internal static unsafe class CachedAttention
{
    private struct Job
    {
        public float* Q, Out;          // q/out [T, heads·hd]
        public byte* K, V;             // the layer's (block 0, kv head 0) plane; kv heads KvStride values apart
        public int** Tables;           // per row: its slot's block table
        public int* Pos;               // per row: absolute position
        public long KvStride, BlockStride; // values between kv heads inside a block / between blocks
        public int BlockSize, Shift;
        public bool Half;              // cache values are f16 (else f32)
        public int Heads, Group, HeadDim;
        public float Scale;
        public float* Alibi;           // [heads] slopes, or null: score += slope·(p − pos)
    }

    [ThreadStatic] private static float[]? _scores;

    /// <summary>Attention of <paramref name="rows"/> query rows of <paramref name="layer"/>; row t reads the blocks of tables[t] up to position positions[t].</summary>
    public static void Run(float* q, float* output, int rows, int heads, PagedKvCache cache, int layer, int** tables, int* positions, float* alibi = null)
    {
        var job = new Job
        {
            Q = q, Out = output, K = cache.KBase(layer), V = cache.VBase(layer), Tables = tables, Pos = positions, KvStride = cache.KvStride,
            BlockStride = cache.BlockStride, BlockSize = cache.BlockSize, Shift = cache.Shift, Half = cache.Type == KvCacheType.F16,
            Heads = heads, Group = heads / cache.KvHeads, HeadDim = cache.HeadDim, Scale = 1f / MathF.Sqrt(cache.HeadDim), Alibi = alibi,
        };
        WorkerPool.Shared.For(rows * heads, &Item, &job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int idx, void* ctx)
    {
        var j = (Job*)ctx;
        int t = idx / j->Heads, h = idx % j->Heads, hd = j->HeadDim;
        int len = j->Pos[t] + 1;
        var scores = _scores is { } s0 && s0.Length >= len ? s0 : (_scores = new float[Math.Max(len, 256) * 2]);
        float* q = j->Q + ((long)t * j->Heads + h) * hd;
        float* o = j->Out + ((long)t * j->Heads + h) * hd;
        int eb = j->Half ? 2 : 4;
        long head = (h / j->Group) * j->KvStride * eb, block = j->BlockStride * eb, row = (long)hd * eb;
        byte* k = j->K + head, v = j->V + head;
        int* table = j->Tables[t];
        int bs = j->BlockSize;
        fixed (float* s = scores)
        {
            float max = float.NegativeInfinity;
            for (int b0 = 0, bi = 0; b0 < len; b0 += bs, bi++)
            {
                byte* kb = k + table[bi] * block;
                int n = Math.Min(bs, len - b0);
                for (int r = 0; r < n; r++)
                {
                    byte* kp = kb + r * row;
                    float d = (j->Half ? DotHalf(q, (ushort*)kp, hd) : Dot(q, (float*)kp, hd)) * j->Scale;
                    if (j->Alibi != null) d += j->Alibi[h] * (b0 + r - (len - 1));
                    s[b0 + r] = d;
                    if (d > max) max = d;
                }
            }
            float sum = 0;
            for (int p = 0; p < len; p++) { float e = MathF.Exp(s[p] - max); s[p] = e; sum += e; }
            new Span<float>(o, hd).Clear();
            for (int b0 = 0, bi = 0; b0 < len; b0 += bs, bi++)
            {
                byte* vb = v + table[bi] * block;
                int n = Math.Min(bs, len - b0);
                for (int r = 0; r < n; r++)
                {
                    byte* vp = vb + r * row;
                    if (j->Half) AxpyHalf(s[b0 + r], (ushort*)vp, o, hd); else Axpy(s[b0 + r], (float*)vp, o, hd);
                }
            }
            float inv = 1f / sum;
            for (int i = 0; i < hd; i++) o[i] *= inv;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float s = 0;
        if (CpuIsa.HasAvx512)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc += Vector512.Load(a + i) * Vector512.Load(b + i);
            s = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc += Vector256.Load(a + i) * Vector256.Load(b + i);
            s = Vector256.Sum(acc);
        }
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float a, float* x, float* y, int n)
    {
        int i = 0;
        if (CpuIsa.HasAvx512)
            for (var av = Vector512.Create(a); i + 16 <= n; i += 16) (Vector512.Load(y + i) + av * Vector512.Load(x + i)).Store(y + i);
        else if (Vector256.IsHardwareAccelerated)
            for (var av = Vector256.Create(a); i + 8 <= n; i += 8) (Vector256.Load(y + i) + av * Vector256.Load(x + i)).Store(y + i);
        for (; i < n; i++) y[i] += a * x[i];
    }

    // f16 cache rows, converted exactly in registers (Fp16.Load16 / Load8).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotHalf(float* a, ushort* b, int n)
    {
        int i = 0;
        float s = 0;
        if (RowDot.Simd)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) acc += Vector512.Load(a + i) * Fp16.Load16(b + i);
            s = Vector512.Sum(acc);
        }
        else if (RowDot.CanAvx2)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) acc += Vector256.Load(a + i) * Fp16.Load8(b + i);
            s = Vector256.Sum(acc);
        }
        for (; i < n; i++) s += a[i] * Fp16.ToFloat(b[i]);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AxpyHalf(float a, ushort* x, float* y, int n)
    {
        int i = 0;
        if (RowDot.Simd)
            for (var av = Vector512.Create(a); i + 16 <= n; i += 16) (Vector512.Load(y + i) + av * Fp16.Load16(x + i)).Store(y + i);
        else if (RowDot.CanAvx2)
            for (var av = Vector256.Create(a); i + 8 <= n; i += 8) (Vector256.Load(y + i) + av * Fp16.Load8(x + i)).Store(y + i);
        for (; i < n; i++) y[i] += a * Fp16.ToFloat(x[i]);
    }
}
