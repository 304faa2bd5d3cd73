// SentencePieceBpeTrainer: a SentencePiece-style BPE trainer (Kudo & Richardson 2018, model_type=bpe) suited to
// Chinese. Text is treated as a sequence of Unicode characters; a space is written "▁" (U+2581) and each line
// starts with one (the "dummy prefix"). Pieces never cross a script boundary: a line splits into runs of Han
// characters, runs of other letters, single digits and runs of other symbols, each run keeping a leading "▁".
// Character coverage: characters are ranked by frequency and kept until they cover `CharacterCoverage` of all
// character occurrences; the rest are left out of the vocabulary and fall back to their UTF-8 bytes, written
// <0x00>..<0xFF>, at encode time (the byte pieces are always in the vocabulary). Words are split at uncovered
// characters for training. Merges go to the most frequent pair, ties to the greater pair (ordinal order of the
// piece strings). Vocabulary: <unk>, <s>, </s>, the 256 byte pieces, the merged pieces in merge order with
// score −rank, then the kept characters (most frequent first) with scores below every merge.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SharpLM.Text.Training;

/// <summary>Settings of a SentencePiece-style BPE training run.</summary>
public sealed record SentencePieceBpeTrainerOptions
{
    public int VocabSize { get; init; } = 8000;
    public double CharacterCoverage { get; init; } = 0.9995;
    public bool ByteFallback { get; init; } = true;
    public IReadOnlyList<string> ControlTokens { get; init; } = ["<unk>", "<s>", "</s>"];
    public long MinFrequency { get; init; } = 2;
    public int Threads { get; init; } = 2;
}

/// <summary>The kind of a SentencePiece vocabulary entry.</summary>
public enum PieceKind { Normal, Unknown, Control, Byte }

/// <summary>One vocabulary entry.</summary>
public readonly record struct SentencePiece(string Piece, float Score, PieceKind Kind);

/// <summary>A trained SentencePiece-style BPE model.</summary>
public sealed record SentencePieceBpeModel(IReadOnlyList<SentencePiece> Pieces, IReadOnlyList<(string First, string Second)> Merges, IReadOnlySet<string> Characters)
{
    /// <summary>The .vocab text SentencePiece writes: "piece\tscore" per line.</summary>
    public string VocabTsv()
    {
        var sb = new StringBuilder();
        foreach (var p in Pieces) sb.Append(p.Piece).Append('\t').Append(p.Score.ToString("0.####", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}

/// <summary>Trains SentencePiece-style BPE.</summary>
public static class SentencePieceBpeTrainer
{
    public const char SpaceMarker = '\u2581';

    private static readonly Regex Splitter = new(
        "▁*(?:[\\p{IsCJKUnifiedIdeographs}\\p{IsCJKUnifiedIdeographsExtensionA}\\p{IsCJKCompatibilityIdeographs}]+|(?:(?![\\p{IsCJKUnifiedIdeographs}\\p{IsCJKUnifiedIdeographsExtensionA}\\p{IsCJKCompatibilityIdeographs}])\\p{L}|\\p{M})+|\\p{N}|[^\\s\\p{L}\\p{N}\\p{M}▁]+)|▁+",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The text with spaces as "▁" and a "▁" at the start of each line.</summary>
    public static string Escape(string text) => SpaceMarker + text.Replace("\r\n", "\n").Replace(' ', SpaceMarker).Replace("\n", "\n" + SpaceMarker);

    /// <summary>The training words ("pieces before merging") of one line of text.</summary>
    public static IEnumerable<string> PreTokenize(string line)
    {
        foreach (Match m in Splitter.Matches(Escape(line))) yield return m.Value;
    }

    public static SentencePieceBpeModel Train(IEnumerable<string> texts, SentencePieceBpeTrainerOptions options, CancellationToken cancel = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts) PreTokenCounter.CountInto(counts, Escape(text), Splitter, [], options.Threads);

        // Character coverage.
        var charFreq = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (w, n) in counts)
            foreach (var r in w.EnumerateRunes())
            {
                var key = r.ToString();
                charFreq[key] = charFreq.GetValueOrDefault(key) + n;
            }
        long total = charFreq.Values.Sum();
        var ranked = charFreq.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var kept = new List<string>();
        long covered = 0;
        foreach (var (c, n) in ranked)
        {
            if (kept.Count > 0 && covered >= options.CharacterCoverage * total && c != SpaceMarker.ToString()) continue;
            kept.Add(c);
            covered += n;
        }
        var keptSet = new HashSet<string>(kept, StringComparer.Ordinal);

        // Symbols: characters get ids in `symbols`; words split at uncovered characters.
        var symbols = new List<string>(kept);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++) ids[symbols[i]] = i;
        var segFreq = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (w, n) in counts)
        {
            var seg = new StringBuilder();
            foreach (var r in w.EnumerateRunes())
            {
                if (keptSet.Contains(r.ToString())) { seg.Append(r.ToString()); continue; }
                if (seg.Length > 0) { segFreq[seg.ToString()] = segFreq.GetValueOrDefault(seg.ToString()) + n; seg.Clear(); }
            }
            if (seg.Length > 0) segFreq[seg.ToString()] = segFreq.GetValueOrDefault(seg.ToString()) + n;
        }
        var ordered = segFreq.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        var words = ordered.Select(kv => kv.Key.EnumerateRunes().Select(r => ids[r.ToString()]).ToArray()).ToArray();
        var freq = ordered.Select(kv => kv.Value).ToArray();

        int fixedCount = options.ControlTokens.Count + (options.ByteFallback ? 256 : 0);
        int mergesWanted = options.VocabSize - fixedCount - kept.Count;
        if (mergesWanted < 0)
            throw new ArgumentException($"SentencePieceBpeTrainerOptions.VocabSize: {options.VocabSize} is smaller than {fixedCount} fixed pieces + {kept.Count} covered characters; lower CharacterCoverage or raise VocabSize.", nameof(options));
        var merger = new PairMerger(words, freq, (a, b) => string.CompareOrdinal(symbols[a], symbols[b]));
        var merges = new List<(string, string)>();
        var mergedPieces = new List<string>();
        while (merges.Count < mergesWanted && merger.TryBest(options.MinFrequency, out int x, out int y, out _))
        {
            cancel.ThrowIfCancellationRequested();
            var piece = symbols[x] + symbols[y];
            merges.Add((symbols[x], symbols[y]));
            if (!ids.TryGetValue(piece, out int id))
            {
                id = symbols.Count;
                ids[piece] = id;
                symbols.Add(piece);
                mergedPieces.Add(piece);
            }
            merger.Merge(x, y, id);
        }

        var pieces = new List<SentencePiece>();
        for (int i = 0; i < options.ControlTokens.Count; i++)
            pieces.Add(new SentencePiece(options.ControlTokens[i], 0, i == 0 ? PieceKind.Unknown : PieceKind.Control));
        if (options.ByteFallback)
            for (int b = 0; b < 256; b++) pieces.Add(new SentencePiece($"<0x{b:X2}>", 0, PieceKind.Byte));
        for (int r = 0; r < mergedPieces.Count; r++) pieces.Add(new SentencePiece(mergedPieces[r], -r, PieceKind.Normal));
        for (int i = 0; i < kept.Count; i++) pieces.Add(new SentencePiece(kept[i], -(mergedPieces.Count + i), PieceKind.Normal));
        return new SentencePieceBpeModel(pieces, merges, keptSet);
    }
}
