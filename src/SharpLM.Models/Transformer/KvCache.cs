// KvCache: preallocated per-layer key/value buffers [B, Hkv, MaxT, hd] for incremental decoding. Each
// forward appends its keys and values at the current length, and attention reads the prefix [0, length).
// GQA-aware (stores only the KV heads). Going past the capacity is a clear error, never an overwrite.
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

/// <summary>Key/value cache for one decoder model and batch.</summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _k, _v;

    /// <summary>Number of positions already stored.</summary>
    public int Length { get; private set; }

    /// <summary>Maximum number of positions.</summary>
    public int Capacity { get; }

    public int Batch { get; }

    public KvCache(DecoderConfig c, int batch, int capacity)
    {
        if (capacity < 1 || capacity > c.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"KvCache: capacity must be in [1, {c.MaxPositions}] (the model's context length).");
        Capacity = capacity; Batch = batch;
        _k = new Tensor[c.Layers]; _v = new Tensor[c.Layers];
        using var _ = TensorScope.Outside(); // the cache outlives any step scope
        for (int l = 0; l < c.Layers; l++)
        {
            _k[l] = Tensor.Zeros([batch, c.KvHeads, capacity, c.HeadDim]);
            _v[l] = Tensor.Zeros([batch, c.KvHeads, capacity, c.HeadDim]);
        }
    }

    /// <summary>Stores k, v [B, Hkv, t, hd] of <paramref name="layer"/> at the current length and returns the whole prefix.</summary>
    internal (Tensor K, Tensor V) Append(int layer, Tensor k, Tensor v)
    {
        int t = k.Shape[2];
        if (k.Shape[0] != Batch) throw new ArgumentException($"KvCache: batch {k.Shape[0]} differs from the cache's batch {Batch}.");
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KvCache: {Length} cached + {t} new positions exceed the capacity {Capacity}.");
        _k[layer].Narrow(2, Length, t).Assign(k); // Assign gathers a strided source itself
        _v[layer].Narrow(2, Length, t).Assign(v);
        return (_k[layer].Narrow(2, 0, Length + t), _v[layer].Narrow(2, 0, Length + t));
    }

    /// <summary>Advances the length after all layers appended <paramref name="t"/> positions.</summary>
    internal void Commit(int t) => Length += t;

    /// <summary>Makes this cache hold the same prefix as <paramref name="other"/> (beam search reorders beams this way).</summary>
    public void CopyFrom(KvCache other)
    {
        if (other._k.Length != _k.Length || other.Batch != Batch || other.Capacity > Capacity)
            throw new ArgumentException("KvCache.CopyFrom: caches differ in layers, batch or capacity.");
        for (int l = 0; l < _k.Length; l++)
        {
            if (other.Length == 0) break;
            _k[l].Narrow(2, 0, other.Length).Assign(other._k[l].Narrow(2, 0, other.Length));
            _v[l].Narrow(2, 0, other.Length).Assign(other._v[l].Narrow(2, 0, other.Length));
        }
        Length = other.Length;
    }

    /// <summary>Forgets everything (keeps the memory).</summary>
    public void Clear() => Length = 0;

    public void Dispose()
    {
        foreach (var t in _k) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }
}
