// KvCacheF32: one sequence slot's preallocated f32 key/value cache (LlamaEngine holds one per slot), one
// [kvHeads, context, headDim] slab per layer for K and for V (GQA-aware: only the kv heads are stored).
// Positions beyond the context are an error.
using System.Runtime.InteropServices;

namespace SharpLM.Inference.Engine;

internal sealed unsafe class KvCacheF32 : IDisposable
{
    public int Layers { get; }
    public int KvHeads { get; }
    public int Context { get; }
    public int HeadDim { get; }
    private float* _k, _v;
    private readonly long _layerFloats;

    public KvCacheF32(int layers, int kvHeads, int context, int headDim)
    {
        Layers = layers; KvHeads = kvHeads; Context = context; HeadDim = headDim;
        _layerFloats = (long)kvHeads * context * headDim;
        nuint bytes = (nuint)(_layerFloats * layers * sizeof(float));
        _k = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        _v = (float*)NativeMemory.AlignedAlloc(bytes, 64);
    }

    public long Bytes => 2 * _layerFloats * Layers * sizeof(float);

    /// <summary>K of (layer, kv head), rows = positions.</summary>
    public float* K(int layer, int kvHead) => _k + layer * _layerFloats + (long)kvHead * Context * HeadDim;

    public float* V(int layer, int kvHead) => _v + layer * _layerFloats + (long)kvHead * Context * HeadDim;

    /// <summary>Stores k/v rows [tokens, kvHeads·headDim] at positions start.. of <paramref name="layer"/>.</summary>
    public void Store(int layer, int start, int tokens, float* k, float* v)
    {
        if (start + tokens > Context)
            throw new InvalidOperationException($"KV cache: positions {start}..{start + tokens - 1} exceed the context length {Context}.");
        long rowBytes = HeadDim * sizeof(float);
        for (int t = 0; t < tokens; t++)
            for (int h = 0; h < KvHeads; h++)
            {
                long src = ((long)t * KvHeads + h) * HeadDim;
                Buffer.MemoryCopy(k + src, K(layer, h) + (long)(start + t) * HeadDim, rowBytes, rowBytes);
                Buffer.MemoryCopy(v + src, V(layer, h) + (long)(start + t) * HeadDim, rowBytes, rowBytes);
            }
    }

    /// <summary>Copies positions [0, <paramref name="length"/>) of every layer and kv head from <paramref name="source"/> (same geometry).</summary>
    public void CopyFrom(KvCacheF32 source, int length)
    {
        if (source.Layers != Layers || source.KvHeads != KvHeads || source.Context != Context || source.HeadDim != HeadDim)
            throw new ArgumentException($"KV cache copy: source is [{source.Layers} layers, {source.KvHeads} kv heads, {source.Context}, {source.HeadDim}], target [{Layers}, {KvHeads}, {Context}, {HeadDim}].", nameof(source));
        if ((uint)length > (uint)Context)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"KV cache copy: length must be in [0, {Context}].");
        // Only the used prefix of each [context, headDim] plane is copied: the rest is dropped by the target anyway.
        long bytes = (long)length * HeadDim * sizeof(float);
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
