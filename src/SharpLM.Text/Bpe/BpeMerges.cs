// BpeMerges: the merge table of a BPE model as (left id, right id) -> (rank, merged id), and the merge loop.
// The loop always applies the lowest-rank adjacent pair, leftmost first on ties — the rule of GPT-2's
// encoder.py, HF tokenizers' Word::merge_all, tiktoken (rank = merged token's rank) and llama.cpp's SPM
// bigram queue (rank = order of descending score). Short words use a direct scan; longer ones a doubly
// linked symbol list with a priority queue keyed by (rank, position), so a long word costs O(n log n).
namespace SharpLM.Text.Bpe;

/// <summary>A BPE merge table and its merge loop.</summary>
public sealed class BpeMerges
{
    private const int ScanLimit = 24;
    private const int Dead = -2;
    private readonly Dictionary<long, long> _pairs;

    public BpeMerges(int capacity = 0) => _pairs = new Dictionary<long, long>(capacity);

    public int Count => _pairs.Count;

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    /// <summary>Adds a merge; an existing pair keeps its lower rank.</summary>
    public void Add(int left, int right, int rank, int merged)
    {
        long k = Key(left, right);
        long v = ((long)rank << 32) | (uint)merged;
        if (!_pairs.TryGetValue(k, out long old) || (old >> 32) > rank) _pairs[k] = v;
    }

    public bool TryGet(int left, int right, out int rank, out int merged)
    {
        if (_pairs.TryGetValue(Key(left, right), out long v)) { rank = (int)(v >> 32); merged = (int)v; return true; }
        rank = 0; merged = 0; return false;
    }

    /// <summary>All merges as (left, right, rank, merged), in no particular order.</summary>
    public IEnumerable<(int Left, int Right, int Rank, int Merged)> Entries =>
        _pairs.Select(kv => ((int)(kv.Key >> 32), (int)kv.Key, (int)(kv.Value >> 32), (int)kv.Value));

    /// <summary>Merges ordered by rank (then merged id, left id): the order a merges.txt lists them in.</summary>
    public IEnumerable<(int Left, int Right, int Rank, int Merged)> Ordered =>
        Entries.OrderBy(e => e.Rank).ThenBy(e => e.Merged).ThenBy(e => e.Left);

    /// <summary>Merges the symbol ids in <paramref name="sym"/> in place and returns how many remain at the front.
    /// Negative ids (unknown symbols) never merge.</summary>
    public int Apply(Span<int> sym)
    {
        int n = sym.Length;
        if (n < 2) return n;
        return n <= ScanLimit ? ApplyScan(sym) : ApplyQueue(sym);
    }

    private int ApplyScan(Span<int> sym)
    {
        int n = sym.Length;
        while (n > 1)
        {
            int bestRank = int.MaxValue, bestPos = -1, bestId = 0;
            for (int i = 0; i + 1 < n; i++)
                if (_pairs.TryGetValue(Key(sym[i], sym[i + 1]), out long v) && (int)(v >> 32) < bestRank)
                {
                    bestRank = (int)(v >> 32); bestPos = i; bestId = (int)v;
                }
            if (bestPos < 0) break;
            sym[bestPos] = bestId;
            sym.Slice(bestPos + 2, n - bestPos - 2).CopyTo(sym.Slice(bestPos + 1));
            n--;
        }
        return n;
    }

    private int ApplyQueue(Span<int> sym)
    {
        int n = sym.Length;
        var next = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        var prev = System.Buffers.ArrayPool<int>.Shared.Rent(n);
        // Heap keys are (rank << 32 | position); the merged id is looked up again when a key is popped, and a
        // key whose pair has changed since (other rank, or the left symbol merged away) is dropped.
        var heap = new MinHeap(n);
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        for (int i = 0; i + 1 < n; i++)
            if (TryGet(sym[i], sym[i + 1], out int r, out _)) heap.AddUnordered(((long)r << 32) | (uint)i);
        heap.Heapify();
        while (heap.Count > 0)
        {
            long key = heap.Pop();
            int pos = (int)key, rank = (int)(key >> 32);
            if (sym[pos] == Dead) continue;
            int right = next[pos];
            if (right < 0 || !TryGet(sym[pos], sym[right], out int curRank, out int merged) || curRank != rank) continue;
            sym[pos] = merged;
            sym[right] = Dead;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) prev[after] = pos;
            int before = prev[pos];
            if (before >= 0 && TryGet(sym[before], merged, out int r1, out _)) heap.Push(((long)r1 << 32) | (uint)before);
            if (after >= 0 && TryGet(merged, sym[after], out int r2, out _)) heap.Push(((long)r2 << 32) | (uint)pos);
        }
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) sym[k++] = sym[i];
        System.Buffers.ArrayPool<int>.Shared.Return(next);
        System.Buffers.ArrayPool<int>.Shared.Return(prev);
        heap.Dispose();
        return k;
    }

    /// <summary>A 4-ary min-heap of longs on a pooled array.</summary>
    private struct MinHeap(int capacity) : IDisposable
    {
        private long[] _a = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(capacity, 16));
        public int Count { get; private set; }

        public void AddUnordered(long v) { Grow(); _a[Count++] = v; }

        public void Heapify()
        {
            for (int i = (Count - 2) >> 2; i >= 0; i--) Down(i);
        }

        public void Push(long v)
        {
            Grow();
            int i = Count++;
            var a = _a;
            while (i > 0)
            {
                int p = (i - 1) >> 2;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        public long Pop()
        {
            var a = _a;
            long top = a[0];
            a[0] = a[--Count];
            if (Count > 0) Down(0);
            return top;
        }

        private readonly void Down(int i)
        {
            var a = _a;
            int n = Count;
            long v = a[i];
            while (true)
            {
                int c = (i << 2) + 1;
                if (c >= n) break;
                int best = c;
                long bv = a[c];
                int end = Math.Min(c + 4, n);
                for (int j = c + 1; j < end; j++) if (a[j] < bv) { bv = a[j]; best = j; }
                if (bv >= v) break;
                a[i] = bv;
                i = best;
            }
            a[i] = v;
        }

        private void Grow()
        {
            if (Count < _a.Length) return;
            var b = System.Buffers.ArrayPool<long>.Shared.Rent(_a.Length * 2);
            Array.Copy(_a, b, Count);
            System.Buffers.ArrayPool<long>.Shared.Return(_a);
            _a = b;
        }

        public void Dispose() => System.Buffers.ArrayPool<long>.Shared.Return(_a);
    }
}
