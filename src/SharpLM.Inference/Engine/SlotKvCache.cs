// SlotKvCache: one sequence slot's preallocated key/value cache (DecoderEngine holds one per slot), one
// [kvHeads, context, headDim] plane per layer for K and for V (GQA-aware: only the kv heads are stored).
// Values are f32 (exact, the default) or f16 (llama.cpp's default cache type: half the memory and half the
// bytes attention reads; rounding each cached value to fp16). Positions beyond the context are an error.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace SharpLM.Inference.Engine;

/// <summary>Element type of the engine's KV cache.</summary>
public enum KvCacheType { F32, F16 }

internal sealed unsafe class SlotKvCache : IDisposable
{
    public int Layers { get; }
    public int KvHeads { get; }
    public int Context { get; }
    public int HeadDim { get; }
    public KvCacheType Type { get; }

    /// <summary>Bytes per cached value.</summary>
    public int ElementBytes => Type == KvCacheType.F16 ? 2 : 4;

    private byte* _k, _v;
    private readonly long _layerValues;

    public SlotKvCache(int layers, int kvHeads, int context, int headDim, KvCacheType type)
    {
        Layers = layers; KvHeads = kvHeads; Context = context; HeadDim = headDim; Type = type;
        _layerValues = (long)kvHeads * context * headDim;
        // Not cleared: pages are touched (and become resident) only as positions are stored.
        nuint bytes = (nuint)(_layerValues * layers * ElementBytes);
        _k = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        _v = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
    }

    public long Bytes => 2 * _layerValues * Layers * ElementBytes;

    /// <summary>K of (layer, kv head): rows = positions, <see cref="HeadDim"/> values of <see cref="ElementBytes"/> each.</summary>
    public byte* K(int layer, int kvHead) => _k + (layer * _layerValues + (long)kvHead * Context * HeadDim) * ElementBytes;

    public byte* V(int layer, int kvHead) => _v + (layer * _layerValues + (long)kvHead * Context * HeadDim) * ElementBytes;

    /// <summary>Stores k/v rows [tokens, kvHeads·headDim] (f32) at positions start.. of <paramref name="layer"/>.</summary>
    public void Store(int layer, int start, int tokens, float* k, float* v)
    {
        if (start + tokens > Context)
            throw new InvalidOperationException($"KV cache: positions {start}..{start + tokens - 1} exceed the context length {Context}.");
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < KvHeads; h++)
            {
                long src = ((long)t * KvHeads + h) * HeadDim, dst = (long)(start + t) * HeadDim * ElementBytes;
                Put(k + src, K(layer, h) + dst);
                Put(v + src, V(layer, h) + dst);
            }
    }

    private void Put(float* src, byte* dst)
    {
        var from = new ReadOnlySpan<float>(src, HeadDim);
        if (Type == KvCacheType.F16) TensorPrimitives.ConvertToHalf(from, new Span<Half>(dst, HeadDim)); // round to nearest even
        else from.CopyTo(new Span<float>(dst, HeadDim));
    }

    /// <summary>Copies positions [0, <paramref name="length"/>) of every layer and kv head from <paramref name="source"/> (same geometry and type).</summary>
    public void CopyFrom(SlotKvCache source, int length)
    {
        if (source.Layers != Layers || source.KvHeads != KvHeads || source.Context != Context || source.HeadDim != HeadDim || source.Type != Type)
            throw new ArgumentException($"KV cache copy: source is [{source.Layers} layers, {source.KvHeads} kv heads, {source.Context}, {source.HeadDim}, {source.Type}], target [{Layers}, {KvHeads}, {Context}, {HeadDim}, {Type}].", nameof(source));
        if ((uint)length > (uint)Context)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"KV cache copy: length must be in [0, {Context}].");
        // Only the used prefix of each [context, headDim] plane is copied: the rest is dropped by the target anyway.
        long bytes = (long)length * HeadDim * ElementBytes;
        for (int l = 0; l < Layers; l++)
            for (int h = 0; h < KvHeads; h++)
            {
                Buffer.MemoryCopy(source.K(l, h), K(l, h), bytes, bytes);
                Buffer.MemoryCopy(source.V(l, h), V(l, h), bytes, bytes);
            }
    }

    public void Dispose()
    {
        if (_k != null) { NativeMemory.AlignedFree(_k); NativeMemory.AlignedFree(_v); _k = _v = null; }
    }
}
