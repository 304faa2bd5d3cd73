// FlashAttention: fused scaled-dot-product attention for the CPU, FlashAttention-2 style tiled online
// softmax. This file holds the shared pieces: argument validation, the counter-based dropout hash, the
// per-thread aligned scratch buffers and the tile sizes. Forward lives in FlashAttention.Forward.cs,
// backward in FlashAttention.Backward.cs, the materialised double-precision reference in
// FlashAttention.Reference.cs. See docs/attention.md for the algorithm.
//
// Layout: q [B, Hq, Tq, D]; k, v [B, Hkv, Tk, D]; out [B, Hq, Tq, D]; lse [B, Hq, Tq]; contiguous float32.
// Query head h reads kv head h / (Hq / Hkv) (GQA; Hkv == 1 is MQA). Causal masking is bottom-right
// aligned: query i sees key j iff j <= i + (Tk - Tq). Optional segment ids seg [B, Tk] (i32; packed training
// sequences) restrict that further: query i (aligned to key i + Tk − Tq) sees key j only if seg[j] equals its
// own, so attention is block-diagonal across the sessions of a packed row; a (query tile, key tile) pair whose
// segment ranges do not meet is skipped.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpLM.Tensors.Cpu;

/// <summary>Fused (tiled, online-softmax) attention forward and backward, plus a materialised reference.</summary>
public static unsafe partial class FlashAttention
{
    /// <summary>Query rows per tile.</summary>
    internal const int BlockQ = 64;
    /// <summary>Key columns per tile.</summary>
    internal const int BlockK = 64;

    // ---------------------------------------------------------------- dropout hash

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Per-row hash state; the key index is mixed in by <see cref="UniformAt"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong DropoutRowKey(ulong seed, int b, int h, int i)
        => Mix(Mix(Mix(seed ^ Gamma) ^ (((ulong)(uint)b << 32) | (uint)h)) + (ulong)(uint)i * Gamma);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float UniformAt(ulong rowKey, int j)
        => (Mix(rowKey + (ulong)((uint)j + 1UL) * Gamma) >> 40) * (1f / 16777216f);

    /// <summary>
    /// The dropout uniform for element (b, h, i, j) of the attention matrix under <paramref name="seed"/>:
    /// a counter-based hash (splitmix64 finaliser chain) mapped to [0, 1) with 24 bits. An element is kept
    /// iff the value is &gt;= dropoutP. Depends only on its arguments, never on threads or tiling.
    /// </summary>
    public static float DropoutUniform(ulong seed, int b, int h, int i, int j) => UniformAt(DropoutRowKey(seed, b, h, i), j);

    // ---------------------------------------------------------------- validation

    private static void Validate(string method, float* q, float* k, float* v, float* output, float* lse,
        int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, float scale, float dropoutP)
    {
        // Only build the message on failure: the happy path must not allocate.
        if (q != null && k != null && v != null && output != null && lse != null && batch > 0 && qHeads > 0 && kvHeads > 0
            && qHeads % kvHeads == 0 && tq > 0 && tk > 0 && headDim > 0 && float.IsFinite(scale) && dropoutP >= 0f && dropoutP < 1f
            && (long)batch * qHeads * tq * headDim <= int.MaxValue * 16L && (long)batch * kvHeads * tk * headDim <= int.MaxValue * 16L)
            return;
        string where = "FlashAttention." + method;
        if (q == null) throw new ArgumentException($"{where}: q must not be null.", nameof(q));
        if (k == null) throw new ArgumentException($"{where}: k must not be null.", nameof(k));
        if (v == null) throw new ArgumentException($"{where}: v must not be null.", nameof(v));
        if (output == null) throw new ArgumentException($"{where}: output must not be null.", nameof(output));
        if (lse == null) throw new ArgumentException($"{where}: lse must not be null.", nameof(lse));
        if (batch <= 0) throw new ArgumentException($"{where}: batch must be > 0, got {batch}.", nameof(batch));
        if (qHeads <= 0) throw new ArgumentException($"{where}: qHeads must be > 0, got {qHeads}.", nameof(qHeads));
        if (kvHeads <= 0) throw new ArgumentException($"{where}: kvHeads must be > 0, got {kvHeads}.", nameof(kvHeads));
        if (qHeads % kvHeads != 0)
            throw new ArgumentException($"{where}: qHeads ({qHeads}) must be a multiple of kvHeads ({kvHeads}); expected qHeads % kvHeads == 0.", nameof(kvHeads));
        if (tq <= 0) throw new ArgumentException($"{where}: tq must be > 0, got {tq}.", nameof(tq));
        if (tk <= 0) throw new ArgumentException($"{where}: tk must be > 0, got {tk}.", nameof(tk));
        if (headDim <= 0) throw new ArgumentException($"{where}: headDim must be > 0, got {headDim}.", nameof(headDim));
        if (!float.IsFinite(scale)) throw new ArgumentException($"{where}: scale must be finite, got {scale}.", nameof(scale));
        if (!(dropoutP >= 0f && dropoutP < 1f))
            throw new ArgumentException($"{where}: dropoutP must be in [0, 1), got {dropoutP}.", nameof(dropoutP));
        long qElems = (long)batch * qHeads * tq * headDim, kvElems = (long)batch * kvHeads * tk * headDim;
        if (qElems > int.MaxValue * 16L || kvElems > int.MaxValue * 16L)
            throw new ArgumentException($"{where}: tensor too large ({qElems} / {kvElems} elements).", nameof(batch));
    }

    private static void ValidateSegments(string method, int* segments, int tq, int tk)
    {
        if (segments != null && tq > tk)
            throw new ArgumentException($"FlashAttention.{method}: segment ids need tq <= tk (queries aligned to the last keys), got tq {tq}, tk {tk}.", nameof(segments));
    }

    /// <summary>Min and max segment id of positions [from, to) of one batch row's segment ids.</summary>
    private static (int Min, int Max) SegmentRange(int* seg, int from, int to)
    {
        int lo = int.MaxValue, hi = int.MinValue;
        for (int i = from; i < to; i++) { int s = seg[i]; if (s < lo) lo = s; if (s > hi) hi = s; }
        return (lo, hi);
    }

    private static void ValidateBackward(float* dOut, float* dq, float* dk, float* dv)
    {
        if (dOut == null) throw new ArgumentException("FlashAttention.Backward: dOut must not be null.", nameof(dOut));
        if (dq == null) throw new ArgumentException("FlashAttention.Backward: dq must not be null.", nameof(dq));
        if (dk == null) throw new ArgumentException("FlashAttention.Backward: dk must not be null.", nameof(dk));
        if (dv == null) throw new ArgumentException("FlashAttention.Backward: dv must not be null.", nameof(dv));
    }

    // ---------------------------------------------------------------- scratch

    /// <summary>A 64-byte-aligned native float buffer that only grows; freed when its owner thread dies.</summary>
    private sealed class AlignedScratch
    {
        private float* _ptr;
        private long _capacity;

        public long CapacityBytes => _capacity * sizeof(float);

        public float* Get(long floats)
        {
            if (floats > _capacity)
            {
                if (_ptr != null) NativeMemory.AlignedFree(_ptr);
                _ptr = null; _capacity = 0;
                long cap = Math.Max(floats, 1024);
                _ptr = (float*)NativeMemory.AlignedAlloc((nuint)(cap * sizeof(float)), 64);
                _capacity = cap;
            }
            return _ptr;
        }

        ~AlignedScratch()
        {
            if (_ptr != null) NativeMemory.AlignedFree(_ptr);
        }
    }

    /// <summary>Tile scratch of the thread running a work item (pool workers and the caller alike).</summary>
    [ThreadStatic] private static AlignedScratch? t_tile;
    /// <summary>Per-call buffers of the calling thread (backward: D = rowsum(dO∘O) and dq partials).</summary>
    [ThreadStatic] private static AlignedScratch? t_call;

    private static float* TileScratch(long floats) => (t_tile ??= new AlignedScratch()).Get(floats);
    private static float* CallScratch(long floats) => (t_call ??= new AlignedScratch()).Get(floats);

    /// <summary>Floats of per-worker tile scratch the forward kernel uses.</summary>
    internal static long ForwardTileFloats(int headDim) => Round16((long)headDim * BlockK) + Round16(BlockQ * BlockK) + Round16((long)BlockQ * headDim) + 2 * Round16(BlockQ);

    /// <summary>Floats of per-worker tile scratch the backward kernel uses.</summary>
    internal static long BackwardTileFloats(int headDim) => 2 * Round16((long)headDim * BlockK) + 2 * Round16((long)BlockK * headDim) + 4 * Round16(BlockQ * BlockK);

    private static long Round16(long n) => (n + 15) & ~15L;

    /// <summary>Bytes of scratch one Forward call uses in total (all workers), for the benchmark's memory column.</summary>
    internal static long ForwardScratchBytes(int batch, int kvHeads, int tq, int tk, int headDim, int threads)
    {
        long call = tq > BlockQ ? (long)batch * kvHeads * headDim * tk : 0; // pre-transposed scale·Kᵀ
        return (ForwardTileFloats(headDim) * threads + call) * sizeof(float);
    }

    /// <summary>Bytes of scratch one Backward call uses in total (tile scratch of all workers + per-call buffers).</summary>
    internal static long BackwardScratchBytes(int batch, int qHeads, int kvHeads, int tq, int tk, int headDim, int threads)
    {
        int chunks = BackwardChunks(batch, kvHeads, tk, threads);
        long call = Round16((long)batch * qHeads * tq) + (chunks - 1L) * batch * qHeads * tq * headDim;
        return (BackwardTileFloats(headDim) * threads + call) * sizeof(float);
    }
}
