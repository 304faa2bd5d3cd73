// CachedAttention: causal softmax attention of new query rows against the KV cache (GQA: query head h reads
// kv head h / (heads / kvHeads)). Each row carries its own cache (K/V of kv head 0 of the row's slot and
// layer) and absolute position p, and sees cache positions 0..p — so rows of different sequences in one batch
// run in one job. One WorkerPool item per (row, head); scores live in a per-thread scratch row. Used for
// decode and prefill alike (attention is a small share of the FLOPs at these lengths). The cache holds f32 or
// f16 values (SlotKvCache); f16 rows are converted exactly in registers.
// With AVX-512 and a head size that is a multiple of 16 (ItemWide): scores of 4 cache positions at a time (4
// independent FMA chains), the softmax's exp over the whole score row at once (TensorPrimitives), and the
// weighted sum of V with 64 output values held in 4 registers across all positions — at decode the old
// per-position dot / scalar exp / load-add-store axpy cost ~120 cycles a position, 15–25% of a decode step
// after 128 tokens.
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Tensors.Threading;

using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

internal static unsafe class CachedAttention
{
    private struct Job
    {
        public float* Q, Out;          // q/out [T, heads·hd]
        public byte** K, V;            // per row: cache of kv head 0, kv heads KvStride values apart
        public int* Pos;               // per row: absolute position
        public long KvStride;
        public bool Half;              // cache values are f16 (else f32)
        public int Heads, Group, HeadDim;
        public float Scale;
        public float* Alibi;           // [heads] slopes, or null: score += slope·(p − pos)
    }

    [ThreadStatic] private static float[]? _scores;

    /// <summary>Attention of <paramref name="rows"/> query rows; row t reads caches k[t]/v[t] up to position positions[t].</summary>
    public static void Run(float* q, float* output, int rows, int heads, int kvHeads, int headDim, byte** k, byte** v, int* positions, long kvStride, bool half, float* alibi = null)
    {
        var job = new Job
        {
            Q = q, Out = output, K = k, V = v, Pos = positions, KvStride = kvStride, Half = half, Heads = heads, Group = heads / kvHeads,
            HeadDim = headDim, Scale = 1f / MathF.Sqrt(headDim), Alibi = alibi,
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
        byte* k = j->K[t] + (h / j->Group) * j->KvStride * eb;
        byte* v = j->V[t] + (h / j->Group) * j->KvStride * eb;
        fixed (float* s = scores)
        {
            if (RowDot.Simd && hd % 16 == 0)
            {
                ItemWide(q, o, k, v, len, hd, j->Half, j->Scale, j->Alibi == null ? 0f : j->Alibi[h], j->Alibi != null, s);
                return;
            }
            float max = float.NegativeInfinity;
            for (int p = 0; p < len; p++)
            {
                byte* kp = k + (long)p * hd * eb;
                float d = (j->Half ? DotHalf(q, (ushort*)kp, hd) : Dot(q, (float*)kp, hd)) * j->Scale;
                if (j->Alibi != null) d += j->Alibi[h] * (p - (len - 1));
                s[p] = d;
                if (d > max) max = d;
            }
            float sum = 0;
            for (int p = 0; p < len; p++) { float e = MathF.Exp(s[p] - max); s[p] = e; sum += e; }
            new Span<float>(o, hd).Clear();
            for (int p = 0; p < len; p++)
            {
                byte* vp = v + (long)p * hd * eb;
                if (j->Half) AxpyHalf(s[p], (ushort*)vp, o, hd); else Axpy(s[p], (float*)vp, o, hd);
            }
            float inv = 1f / sum;
            for (int i = 0; i < hd; i++) o[i] *= inv;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(byte* p, bool half) => half ? Fp16.Load16((ushort*)p) : Vector512.Load((float*)p);

    /// <summary>One (row, head) on AVX-512, head size a multiple of 16: out = softmax(scale·q·Kᵀ [+ ALiBi]) · V over positions [0, len).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ItemWide(float* q, float* o, byte* k, byte* v, int len, int hd, bool half, float scale, float slope, bool alibi, float* s)
    {
        int eb = half ? 2 : 4;
        long row = (long)hd * eb;
        int p = 0;
        for (; p + 4 <= len; p += 4)                                                   // s[p..p+3] = q·k_p
        {
            byte* k0 = k + p * row;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int c = 0; c < hd; c += 16)
            {
                var qc = Vector512.Load(q + c);
                byte* kc = k0 + c * eb;
                a0 = Avx512F.FusedMultiplyAdd(qc, Load(kc, half), a0);
                a1 = Avx512F.FusedMultiplyAdd(qc, Load(kc + row, half), a1);
                a2 = Avx512F.FusedMultiplyAdd(qc, Load(kc + 2 * row, half), a2);
                a3 = Avx512F.FusedMultiplyAdd(qc, Load(kc + 3 * row, half), a3);
            }
            s[p] = Vector512.Sum(a0) * scale; s[p + 1] = Vector512.Sum(a1) * scale;
            s[p + 2] = Vector512.Sum(a2) * scale; s[p + 3] = Vector512.Sum(a3) * scale;
        }
        for (; p < len; p++)
        {
            Vector512<float> a0 = default;
            for (int c = 0; c < hd; c += 16) a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(q + c), Load(k + p * row + c * eb, half), a0);
            s[p] = Vector512.Sum(a0) * scale;
        }
        var sp = new Span<float>(s, len);
        if (alibi) for (int i = 0; i < len; i++) s[i] += slope * (i - (len - 1));
        float max = TensorPrimitives.Max(sp);
        TensorPrimitives.Subtract(sp, max, sp);
        TensorPrimitives.Exp(sp, sp);
        float inv = 1f / TensorPrimitives.Sum(sp);
        for (int c0 = 0; c0 < hd; c0 += 64)                                            // out[c0, c0 + 64) = Σ_p s[p]·v_p
        {
            int w = Math.Min(64, hd - c0);
            byte* vc = v + c0 * eb;
            Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
            if (w == 64)
                for (int i = 0; i < len; i++, vc += row)
                {
                    var si = Vector512.Create(s[i]);
                    o0 = Avx512F.FusedMultiplyAdd(si, Load(vc, half), o0);
                    o1 = Avx512F.FusedMultiplyAdd(si, Load(vc + 16 * eb, half), o1);
                    o2 = Avx512F.FusedMultiplyAdd(si, Load(vc + 32 * eb, half), o2);
                    o3 = Avx512F.FusedMultiplyAdd(si, Load(vc + 48 * eb, half), o3);
                }
            else
                for (int i = 0; i < len; i++, vc += row)
                {
                    var si = Vector512.Create(s[i]);
                    o0 = Avx512F.FusedMultiplyAdd(si, Load(vc, half), o0);
                    if (w > 16) o1 = Avx512F.FusedMultiplyAdd(si, Load(vc + 16 * eb, half), o1);
                    if (w > 32) o2 = Avx512F.FusedMultiplyAdd(si, Load(vc + 32 * eb, half), o2);
                }
            var vi = Vector512.Create(inv);
            (o0 * vi).Store(o + c0);
            if (w > 16) (o1 * vi).Store(o + c0 + 16);
            if (w > 32) (o2 * vi).Store(o + c0 + 32);
            if (w > 48) (o3 * vi).Store(o + c0 + 48);
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
