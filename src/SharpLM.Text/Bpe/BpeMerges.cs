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
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        var queue = new PriorityQueue<(int Pos, int Merged), long>();
        for (int i = 0; i + 1 < n; i++)
            if (TryGet(sym[i], sym[i + 1], out int r, out int m)) queue.Enqueue((i, m), ((long)r << 32) | (uint)i);
        while (queue.TryDequeue(out var top, out _))
        {
            int pos = top.Pos;
            if (sym[pos] == Dead) continue;
            int right = next[pos];
            if (right < 0 || !TryGet(sym[pos], sym[right], out _, out int merged) || merged != top.Merged) continue;
            sym[pos] = merged;
            sym[right] = Dead;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) prev[after] = pos;
            int before = prev[pos];
            if (before >= 0 && TryGet(sym[before], merged, out int r1, out int m1))
                queue.Enqueue((before, m1), ((long)r1 << 32) | (uint)before);
            if (after >= 0 && TryGet(merged, sym[after], out int r2, out int m2))
                queue.Enqueue((pos, m2), ((long)r2 << 32) | (uint)pos);
        }
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) sym[k++] = sym[i];
        return k;
    }
}
