// PagedKvCache: the engine's KV cache as vLLM's PagedAttention keeps it — one pool of fixed-size blocks
// (BlockSize positions of every layer and kv head, K and V), and per sequence slot a block table mapping its
// position p to block table[p / BlockSize], row p % BlockSize. A slot holds only the blocks its positions need,
// so no slot reserves a full context; the pool is shared by all slots.
// Prefix caching (vLLM's automatic prefix caching): every full block is registered under the hash of its tokens
// chained with the hash of the block before it, so it names the whole prefix up to its end. A new sequence
// attaches the registered blocks of its longest cached prefix (reference-counted, shared read-only) and computes
// only the rest. A block nobody holds stays registered and is reused (least recently freed first) only when no
// never-registered block is free. Writing into a shared or registered block copies it first (copy-on-write), so a
// slot truncated inside a shared block (beam search, re-generation) never changes another slot's cache.
// Block layout: [layer][kvHead][BlockSize][headDim] values (f32 or f16), so inside a block the rows of one kv
// head are contiguous and attention reads a block as a contiguous run of BlockSize rows.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace SharpLM.Inference.Engine;

/// <summary>Element type of the engine's KV cache.</summary>
public enum KvCacheType { F32, F16 }

internal sealed unsafe class PagedKvCache : IDisposable
{
    private sealed class Slot
    {
        public readonly List<int> Blocks = [];
        public readonly List<int> Tokens = [];   // the token at each cached position (for prefix hashes)
        public int Length;                       // cached positions
        public readonly List<ulong> Hashes = []; // prefix hash through each leading full block already offered to the prefix cache
        public ulong LastHash => Hashes.Count == 0 ? 0 : Hashes[^1];
    }

    private readonly Slot[] _slots;
    private readonly int[] _refs;                // per block: slots holding it
    private readonly ulong[] _hash;              // per block: its prefix hash when registered
    private readonly bool[] _registered;
    private readonly int[][] _blockTokens;       // per block: its tokens when registered (checked on lookup)
    private readonly Stack<int> _free = new();   // never registered, nobody holds
    private readonly LinkedList<int> _evictable = new(); // registered, nobody holds: oldest first
    private readonly LinkedListNode<int>?[] _evictNode;
    private readonly Dictionary<ulong, int> _byHash = [];
    private readonly long _blockValues;          // values of K (or V) per block
    private byte* _k, _v;
    private readonly int*[] _tables;             // per slot: native copy of its block table for attention

    public PagedKvCache(int layers, int kvHeads, int headDim, KvCacheType type, int blockSize, int blocks, int slots, int context)
    {
        if (blockSize < 1 || (blockSize & (blockSize - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "KV cache: the block size must be a power of two.");
        int perContext = (context + blockSize - 1) / blockSize;
        if (blocks < perContext)
            throw new ArgumentOutOfRangeException(nameof(blocks), blocks, $"KV cache: {blocks} blocks of {blockSize} positions cannot hold one sequence of the context length {context} ({perContext} blocks).");
        Layers = layers; KvHeads = kvHeads; HeadDim = headDim; Type = type; BlockSize = blockSize; TotalBlocks = blocks; Context = context;
        Shift = System.Numerics.BitOperations.Log2((uint)blockSize);
        _blockValues = (long)layers * kvHeads * blockSize * headDim;
        // Not cleared: pages are touched (and become resident) only as blocks are written.
        nuint bytes = (nuint)(_blockValues * blocks * ElementBytes);
        _k = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        _v = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        _refs = new int[blocks]; _hash = new ulong[blocks]; _registered = new bool[blocks];
        _blockTokens = new int[blocks][]; _evictNode = new LinkedListNode<int>?[blocks];
        for (int b = blocks - 1; b >= 0; b--) _free.Push(b);
        _slots = new Slot[slots];
        _tables = new int*[slots];
        for (int s = 0; s < slots; s++)
        {
            _slots[s] = new Slot();
            _tables[s] = (int*)NativeMemory.AllocZeroed((nuint)(perContext * sizeof(int)));
        }
    }

    public int Layers { get; }
    public int KvHeads { get; }
    public int HeadDim { get; }
    public int Context { get; }
    public KvCacheType Type { get; }
    public int BlockSize { get; }
    public int Shift { get; }                    // log2(BlockSize)
    public int TotalBlocks { get; }
    public int ElementBytes => Type == KvCacheType.F16 ? 2 : 4;

    /// <summary>Blocks held by at least one slot.</summary>
    public int UsedBlocks => TotalBlocks - _free.Count - _evictable.Count;

    /// <summary>Blocks a write can take: never-registered free ones plus registered ones nobody holds.</summary>
    public int AvailableBlocks => _free.Count + _evictable.Count;

    /// <summary>Registered blocks nobody holds (kept for later prefix hits).</summary>
    public int CachedFreeBlocks => _evictable.Count;

    public long Bytes => 2 * _blockValues * TotalBlocks * ElementBytes;

    /// <summary>Values between the rows of consecutive kv heads inside a block.</summary>
    public long KvStride => (long)BlockSize * HeadDim;

    /// <summary>Values between the same row of consecutive blocks' (layer, kv head 0) planes: attention's block step.</summary>
    public long BlockStride => _blockValues;

    /// <summary>K of (block 0, layer, kv head 0): add block·BlockStride values for block b.</summary>
    public byte* KBase(int layer) => _k + (long)layer * KvHeads * KvStride * ElementBytes;

    public byte* VBase(int layer) => _v + (long)layer * KvHeads * KvStride * ElementBytes;

    /// <summary>The slot's block table (native, for attention).</summary>
    public int* Table(int slot) => _tables[slot];

    public int Length(int slot) => _slots[slot].Length;

    /// <summary>Blocks the slot holds.</summary>
    public int BlocksOf(int slot) => _slots[slot].Blocks.Count;

    /// <summary>
    /// Blocks a write of <paramref name="count"/> positions at <paramref name="position"/> takes from the pool (new
    /// blocks past the slot's end, plus a copy of a shared or registered block it writes into); blocks it drops are counted by BlocksFreed.
    /// </summary>
    public int BlocksNeeded(int slot, int position, int count)
    {
        var s = _slots[slot];
        int keep = Math.Min(s.Blocks.Count, (position + BlockSize - 1) >> Shift);
        int need = Math.Max(0, ((position + count + BlockSize - 1) >> Shift) - keep);
        if ((position & (BlockSize - 1)) != 0 && keep > 0 && keep - 1 < s.Blocks.Count && Shared(s.Blocks[keep - 1])) need++;
        return need;
    }

    /// <summary>Blocks a write at <paramref name="position"/> gives back to the pool by dropping the slot's positions from there on.</summary>
    public int BlocksFreed(int slot, int position)
    {
        var s = _slots[slot];
        int keep = Math.Min(s.Blocks.Count, (position + BlockSize - 1) >> Shift), freed = 0;
        for (int i = keep; i < s.Blocks.Count; i++) if (_refs[s.Blocks[i]] == 1) freed++;
        return freed;
    }

    private bool Shared(int block) => _refs[block] > 1 || _registered[block];

    /// <summary>
    /// Makes the slot ready for a write of <paramref name="tokens"/> at <paramref name="position"/>: drops positions
    /// from <paramref name="position"/> on, copies the block it writes into when that block is shared or registered,
    /// and adds blocks up to the new end. Throws before changing anything when the pool cannot supply the blocks.
    /// </summary>
    public void Prepare(int slot, int position, ReadOnlySpan<int> tokens)
    {
        var s = _slots[slot];
        int need = BlocksNeeded(slot, position, tokens.Length);
        if (need > AvailableBlocks + BlocksFreed(slot, position))
            throw new InvalidOperationException($"KV cache: out of blocks: slot {slot} needs {need} more block(s) of {BlockSize} positions, {AvailableBlocks} of {TotalBlocks} are free.");
        int keep = Math.Min(s.Blocks.Count, (position + BlockSize - 1) >> Shift);
        while (s.Blocks.Count > keep) { Unref(s.Blocks[^1]); s.Blocks.RemoveAt(s.Blocks.Count - 1); }
        if (s.Hashes.Count > keep) s.Hashes.RemoveRange(keep, s.Hashes.Count - keep);
        if ((position & (BlockSize - 1)) != 0 && keep > 0 && Shared(s.Blocks[keep - 1]))
        {
            int old = s.Blocks[keep - 1], copy = Take();
            CopyBlock(old, copy);
            Unref(old);
            s.Blocks[keep - 1] = copy;
            if (s.Hashes.Count == keep) s.Hashes.RemoveAt(keep - 1);
        }
        while (s.Blocks.Count << Shift < position + tokens.Length) s.Blocks.Add(Take());
        for (int i = 0; i < s.Blocks.Count; i++) _tables[slot][i] = s.Blocks[i];
        if (s.Tokens.Count > position) s.Tokens.RemoveRange(position, s.Tokens.Count - position);
        foreach (var t in tokens) s.Tokens.Add(t);
        s.Length = position + tokens.Length;
    }

    /// <summary>Stores k/v rows [tokens, kvHeads·headDim] (f32) at positions start.. of the slot (blocks made ready by Prepare).</summary>
    public void Store(int slot, int layer, int start, int tokens, float* k, float* v)
    {
        var table = _tables[slot];
        int eb = ElementBytes;
        for (int t = 0; t < tokens; t++)
        {
            int p = start + t;
            long row = (long)table[p >> Shift] * BlockStride + (long)(p & (BlockSize - 1)) * HeadDim;
            byte* kb = KBase(layer) + row * eb, vb = VBase(layer) + row * eb;
            for (int h = 0; h < KvHeads; h++)
            {
                long src = ((long)t * KvHeads + h) * HeadDim;
                Put(k + src, kb + h * KvStride * eb);
                Put(v + src, vb + h * KvStride * eb);
            }
        }
    }

    private void Put(float* src, byte* dst)
    {
        var from = new ReadOnlySpan<float>(src, HeadDim);
        if (Type == KvCacheType.F16) TensorPrimitives.ConvertToHalf(from, new Span<Half>(dst, HeadDim)); // round to nearest even
        else from.CopyTo(new Span<float>(dst, HeadDim));
    }

    /// <summary>Registers the slot's full blocks not yet in the prefix cache (after their positions were stored).</summary>
    public void RegisterFullBlocks(int slot)
    {
        var s = _slots[slot];
        while ((s.Hashes.Count + 1) << Shift <= s.Length)
        {
            int i = s.Hashes.Count, block = s.Blocks[i];
            var tokens = CollectionsMarshal.AsSpan(s.Tokens).Slice(i << Shift, BlockSize);
            ulong h = Hash(s.LastHash, tokens);
            if (!_registered[block] && !_byHash.ContainsKey(h))
            {
                _registered[block] = true; _hash[block] = h; _blockTokens[block] = tokens.ToArray();
                _byHash[h] = block;
            }
            s.Hashes.Add(h);
        }
    }

    /// <summary>
    /// Empties the slot, then attaches the registered blocks of the longest cached prefix of <paramref name="tokens"/>
    /// (whole blocks, leaving at least the last token to compute); returns the positions reused.
    /// </summary>
    public int AttachPrefix(int slot, ReadOnlySpan<int> tokens)
    {
        Release(slot);
        var s = _slots[slot];
        ulong h = 0;
        int blocks = (tokens.Length - 1) >> Shift;
        for (int i = 0; i < blocks; i++)
        {
            var part = tokens.Slice(i << Shift, BlockSize);
            ulong next = Hash(h, part);
            if (!_byHash.TryGetValue(next, out int block) || !part.SequenceEqual(_blockTokens[block])) break;
            if (_refs[block]++ == 0 && _evictNode[block] is { } node) { _evictable.Remove(node); _evictNode[block] = null; }
            s.Blocks.Add(block);
            _tables[slot][i] = block;
            foreach (var t in part) s.Tokens.Add(t);
            s.Hashes.Add(next);
            h = next;
        }
        s.Length = s.Blocks.Count << Shift;
        return s.Length;
    }

    /// <summary>Gives every block of the slot back (registered ones stay findable until reused).</summary>
    public void Release(int slot)
    {
        var s = _slots[slot];
        foreach (var b in s.Blocks) Unref(b);
        s.Blocks.Clear(); s.Tokens.Clear();
        s.Length = 0; s.Hashes.Clear();
    }

    /// <summary>Makes slot <paramref name="to"/> hold what <paramref name="from"/> holds: full blocks shared, the partial last block copied.</summary>
    public void CopySlot(int from, int to)
    {
        if (from == to) return;
        var f = _slots[from];
        int full = f.Length >> Shift, partial = f.Blocks.Count - full;
        Release(to);
        if (partial > AvailableBlocks) throw new InvalidOperationException($"KV cache: out of blocks copying slot {from} to slot {to}.");
        var t = _slots[to];
        for (int i = 0; i < f.Blocks.Count; i++)
        {
            int b = f.Blocks[i];
            if (i < full) { _refs[b]++; t.Blocks.Add(b); }
            else { int copy = Take(); CopyBlock(b, copy); t.Blocks.Add(copy); }
            _tables[to][i] = t.Blocks[i];
        }
        t.Tokens.AddRange(f.Tokens);
        t.Length = f.Length;
        t.Hashes.AddRange(f.Hashes.Take(full));
    }

    private int Take()
    {
        int b;
        if (_free.Count > 0) b = _free.Pop();
        else
        {
            var node = _evictable.First ?? throw new InvalidOperationException("KV cache: out of blocks.");
            b = node.Value;
            _evictable.RemoveFirst();
            _evictNode[b] = null;
            _byHash.Remove(_hash[b]);
            _registered[b] = false; _blockTokens[b] = null!;
        }
        _refs[b] = 1;
        return b;
    }

    private void Unref(int b)
    {
        if (--_refs[b] > 0) return;
        if (_registered[b]) _evictNode[b] = _evictable.AddLast(b);
        else _free.Push(b);
    }

    private void CopyBlock(int from, int to)
    {
        long bytes = _blockValues * ElementBytes;
        Buffer.MemoryCopy(_k + from * bytes, _k + to * bytes, bytes, bytes);
        Buffer.MemoryCopy(_v + from * bytes, _v + to * bytes, bytes, bytes);
    }

    /// <summary>FNV-1a style 64-bit hash of the previous block's hash and this block's tokens.</summary>
    private static ulong Hash(ulong previous, ReadOnlySpan<int> tokens)
    {
        ulong h = 14695981039346656037UL ^ previous;
        h *= 1099511628211UL;
        foreach (var t in tokens)
        {
            h ^= (uint)t;
            h *= 1099511628211UL;
            h ^= h >> 29;
        }
        return h;
    }

    public void Dispose()
    {
        if (_k == null) return;
        NativeMemory.AlignedFree(_k); NativeMemory.AlignedFree(_v); _k = _v = null;
        foreach (var t in _tables) NativeMemory.Free(t);
    }
}
