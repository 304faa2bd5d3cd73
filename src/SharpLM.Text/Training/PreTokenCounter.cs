// PreTokenCounter: counts the pre-tokens of a corpus in parallel. The text is cut into one chunk per thread at
// boundaries where no pre-token can straddle (a '\n' with a non-space character on both sides, so the GPT-2
// style patterns split there and their "\s+(?!\S)" look-ahead sees the same thing in the chunk and in the whole
// text); each chunk is split on the special tokens (no pre-token or merge crosses a special token, and the
// specials themselves are not counted), matched with the pattern and counted into a thread-local dictionary,
// and the dictionaries are summed. The result is the same for any thread count.
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SharpLM.Text.Training;

/// <summary>Parallel pre-token frequency counting for the trainers.</summary>
public static class PreTokenCounter
{
    /// <summary>Counts every match of <paramref name="pattern"/> in <paramref name="text"/>, outside the special tokens.</summary>
    public static Dictionary<string, long> Count(string text, Regex pattern, IReadOnlyList<string> specialTokens, int threads = 2)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        CountInto(total, text, pattern, specialTokens, threads);
        return total;
    }

    /// <summary>Adds the pre-token counts of <paramref name="text"/> to <paramref name="total"/>.</summary>
    public static void CountInto(Dictionary<string, long> total, string text, Regex pattern, IReadOnlyList<string> specialTokens, int threads = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var bounds = ChunkBounds(text, threads);
        var partial = new Dictionary<string, long>[bounds.Count - 1];
        Parallel.For(0, partial.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            CountChunk(counts, text.AsMemory(bounds[i], bounds[i + 1] - bounds[i]), pattern, specialTokens);
            partial[i] = counts;
        });
        foreach (var counts in partial)
            foreach (var (word, n) in counts)
                CollectionsMarshal.GetValueRefOrAddDefault(total, word, out _) += n;
    }

    /// <summary>Chunk boundaries 0 = b0 &lt; b1 &lt; … = text.Length at safe newline positions.</summary>
    internal static List<int> ChunkBounds(string text, int chunks)
    {
        var bounds = new List<int> { 0 };
        for (int k = 1; k < chunks; k++)
        {
            int p = Math.Max((int)((long)text.Length * k / chunks), bounds[^1] + 1);
            while (p < text.Length && !(p >= 2 && text[p - 1] == '\n' && !char.IsWhiteSpace(text[p]) && !char.IsWhiteSpace(text[p - 2]))) p++;
            if (p >= text.Length) break;
            bounds.Add(p);
        }
        bounds.Add(text.Length);
        return bounds;
    }

    private static void CountChunk(Dictionary<string, long> counts, ReadOnlyMemory<char> chunk, Regex pattern, IReadOnlyList<string> specials)
    {
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        int start = 0;
        var span = chunk.Span;
        while (start <= span.Length)
        {
            int end = span.Length, skip = 0;
            foreach (var special in specials)
            {
                int at = span[start..].IndexOf(special.AsSpan(), StringComparison.Ordinal);
                if (at >= 0 && start + at < end) { end = start + at; skip = special.Length; }
            }
            var piece = span[start..end];
            foreach (var m in pattern.EnumerateMatches(piece))
                CollectionsMarshal.GetValueRefOrAddDefault(lookup, piece.Slice(m.Index, m.Length), out _)++;
            if (skip == 0) break;
            start = end + skip;
        }
    }
}
