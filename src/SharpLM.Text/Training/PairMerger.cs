// PairMerger: the merge loop shared by the BPE-family trainers. Words are symbol-id sequences with a
// frequency. It keeps pair → count and pair → words containing it, and after each merge updates both only for
// the words that held the merged pair, and in them only for the pairs next to each occurrence. The best pair
// comes from a max-heap with lazy deletion: every count change pushes a fresh entry and a popped entry whose
// count is no longer current is dropped, so no merge recounts the corpus. Ties on count go to the greater
// pair under the caller's symbol order (first symbols compared, then second), which makes training deterministic.
using System.Runtime.InteropServices;

namespace SharpLM.Text.Training;

/// <summary>Incremental most-frequent-pair merging over weighted symbol sequences.</summary>
internal sealed class PairMerger
{
    private readonly int[][] _words;
    private readonly long[] _freq;
    private readonly Comparison<int> _symbolOrder;
    private readonly Dictionary<long, long> _pairCount = new(PairComparer.Instance);
    private readonly Dictionary<long, HashSet<int>> _pairWords = new(PairComparer.Instance);
    private readonly PriorityQueue<long, (long Count, long Pair)> _heap;

    /// <param name="words">Symbol sequences (modified in place as merges apply).</param>
    /// <param name="freq">The frequency of each word.</param>
    /// <param name="symbolOrder">Order of symbols used to break count ties (greater pair wins).</param>
    public PairMerger(int[][] words, long[] freq, Comparison<int> symbolOrder)
    {
        _words = words;
        _freq = freq;
        _symbolOrder = symbolOrder;
        _heap = new PriorityQueue<long, (long Count, long Pair)>(Comparer<(long Count, long Pair)>.Create(ComparePriority));
        for (int w = 0; w < words.Length; w++)
        {
            var s = words[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                long p = Pack(s[i], s[i + 1]);
                CollectionsMarshal.GetValueRefOrAddDefault(_pairCount, p, out _) += freq[w];
                Where(p).Add(w);
            }
        }
        foreach (var (p, c) in _pairCount) Push(p, c);
    }

    /// <summary>The symbol sequences as they stand after the merges so far.</summary>
    public int[][] Words => _words;

    private void Push(long pair, long count) => _heap.Enqueue(pair, (count, pair));

    private int ComparePriority((long Count, long Pair) x, (long Count, long Pair) y)
    {
        if (x.Count != y.Count) return y.Count.CompareTo(x.Count);   // higher count first
        return -ComparePair(x.Pair, y.Pair);                           // then the greater pair first
    }

    private int ComparePair(long x, long y)
    {
        int c = _symbolOrder(First(x), First(y));
        return c != 0 ? c : _symbolOrder(Second(x), Second(y));
    }

    /// <summary>Pops the most frequent pair (ties: greatest); false when no pair reaches <paramref name="minCount"/>.</summary>
    public bool TryBest(long minCount, out int first, out int second, out long count)
    {
        while (_heap.TryDequeue(out var p, out var entry))
        {
            long c = entry.Count;
            if (!_pairCount.TryGetValue(p, out var current) || current != c) continue;   // stale entry
            if (c < minCount) break;
            first = First(p); second = Second(p); count = c;
            return true;
        }
        first = second = 0; count = 0;
        return false;
    }

    /// <summary>Replaces every (first, second) by <paramref name="merged"/> in the words holding it and updates the statistics.</summary>
    public void Merge(int first, int second, int merged)
    {
        long target = Pack(first, second);
        if (!_pairWords.Remove(target, out var holders)) return;
        var delta = new Dictionary<long, long>(PairComparer.Instance);
        foreach (int w in holders)
        {
            var s = _words[w];
            if (!Contains(s, first, second)) continue;      // stale membership
            long f = _freq[w];
            // Only the pairs next to each occurrence change: (prev, first) becomes (prev, merged) and
            // (second, next) becomes (merged, next); prev is read from the output so runs like "a b a b" net out.
            var t = new int[s.Length];
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                if (i + 1 < s.Length && s[i] == first && s[i + 1] == second)
                {
                    if (n > 0)
                    {
                        int prev = t[n - 1];
                        CollectionsMarshal.GetValueRefOrAddDefault(delta, Pack(prev, first), out _) -= f;
                        long np = Pack(prev, merged);
                        CollectionsMarshal.GetValueRefOrAddDefault(delta, np, out _) += f;
                        Where(np).Add(w);
                    }
                    if (i + 2 < s.Length)
                    {
                        int next = s[i + 2];
                        CollectionsMarshal.GetValueRefOrAddDefault(delta, Pack(second, next), out _) -= f;
                        long nn = Pack(merged, next);
                        CollectionsMarshal.GetValueRefOrAddDefault(delta, nn, out _) += f;
                        Where(nn).Add(w);
                    }
                    t[n++] = merged;
                    i++;
                }
                else t[n++] = s[i];
            }
            Array.Resize(ref t, n);
            _words[w] = t;
        }
        foreach (var (p, d) in delta)
        {
            if (d == 0) continue;
            ref long c = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairCount, p, out _);
            c += d;
            if (c <= 0) { _pairCount.Remove(p); continue; }
            Push(p, c);
        }
        _pairCount.Remove(target);
    }

    private static bool Contains(int[] s, int a, int b)
    {
        for (int i = 0; i + 1 < s.Length; i++) if (s[i] == a && s[i + 1] == b) return true;
        return false;
    }

    private HashSet<int> Where(long p)
    {
        ref var set = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, p, out bool exists);
        if (!exists) set = new HashSet<int>();
        return set!;
    }

    private static long Pack(int a, int b) => ((long)a << 32) | (uint)b;
    private static int First(long p) => (int)(p >> 32);
    private static int Second(long p) => (int)(uint)p;

    /// <summary>long's own hash is hi ^ lo, which collides for every packed pair with the same a ^ b; mix instead.</summary>
    private sealed class PairComparer : IEqualityComparer<long>
    {
        public static readonly PairComparer Instance = new();
        public bool Equals(long x, long y) => x == y;
        public int GetHashCode(long x) => (int)(((ulong)x * 0x9E3779B97F4A7C15UL) >> 32);
    }
}
