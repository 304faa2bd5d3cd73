// WordPieceTrainer: builds a BERT-style WordPiece vocabulary the way Hugging Face's WordPieceTrainer does: BPE
// merges over characters where every non-initial character carries the "##" continuation prefix, keeping the
// vocabulary (not the merges) — WordPiece encoding is greedy longest-match over that vocabulary. A merge of
// (a, ##b) gives "ab", of (##a, ##b) gives "##ab". Count ties go to the greater pair (ordinal string order),
// so training is deterministic. Vocabulary: the special tokens, then every character seen (sorted ordinally,
// word-initial form and ## form), then the merged tokens in merge order. Written as vocab.txt, one token a line.
using System.Text;

namespace SharpLM.Text.Training;

/// <summary>Settings of a WordPiece training run.</summary>
public sealed record WordPieceTrainerOptions
{
    public int VocabSize { get; init; } = 30522;
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    public string ContinuationPrefix { get; init; } = "##";
    public bool Lowercase { get; init; } = true;
    public long MinFrequency { get; init; } = 2;
    public int Threads { get; init; } = 2;
}

/// <summary>Trains a WordPiece vocabulary.</summary>
public static class WordPieceTrainer
{
    /// <summary>Returns the vocabulary, id = index.</summary>
    public static IReadOnlyList<string> Train(IEnumerable<string> texts, WordPieceTrainerOptions options, CancellationToken cancel = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
            PreTokenCounter.CountInto(counts, BertPreTokenizer.Normalize(text, options.Lowercase), BertPreTokenizer.Regex, [], options.Threads);

        var prefix = options.ContinuationPrefix;
        var ordered = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        var alphabet = new SortedSet<string>(StringComparer.Ordinal);
        var charWords = new List<string[]>(ordered.Length);
        foreach (var (word, _) in ordered)
        {
            var chars = new List<string>();
            foreach (var rune in word.EnumerateRunes()) chars.Add((chars.Count == 0 ? "" : prefix) + rune.ToString());
            alphabet.UnionWith(chars);
            charWords.Add(chars.ToArray());
        }

        var tokens = new List<string>(options.VocabSize);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string token)
        {
            if (ids.TryGetValue(token, out var id)) return id;
            ids[token] = tokens.Count;
            tokens.Add(token);
            return tokens.Count - 1;
        }
        foreach (var s in options.SpecialTokens) Id(s);
        foreach (var c in alphabet) Id(c);
        var words = charWords.Select(w => w.Select(Id).ToArray()).ToArray();
        var freq = ordered.Select(kv => kv.Value).ToArray();

        var merger = new PairMerger(words, freq, (a, b) => string.CompareOrdinal(tokens[a], tokens[b]));
        while (tokens.Count < options.VocabSize && merger.TryBest(options.MinFrequency, out int x, out int y, out _))
        {
            cancel.ThrowIfCancellationRequested();
            var second = tokens[y].StartsWith(prefix, StringComparison.Ordinal) ? tokens[y][prefix.Length..] : tokens[y];
            var merged = tokens[x] + second;
            int id = ids.TryGetValue(merged, out var existing) ? existing : Id(merged);
            merger.Merge(x, y, id);
        }
        return tokens;
    }

    /// <summary>vocab.txt: one token per line, the line number is the id.</summary>
    public static string VocabTxt(IReadOnlyList<string> vocab)
    {
        var sb = new StringBuilder();
        foreach (var t in vocab) sb.Append(t).Append('\n');
        return sb.ToString();
    }
}
