// GopherFilter: the quality and repetition heuristics of Rae et al. 2021, "Scaling Language Models: Methods, Analysis
// & Insights from Training Gopher", appendix A.1.1-A.1.2 (MassiveText), with the paper's thresholds as defaults.
using SharpLM.Data.IO;

namespace SharpLM.Data.Filters;

public sealed record GopherOptions
{
    public int MinWords { get; init; } = 50;
    public int MaxWords { get; init; } = 100_000;
    public double MinMeanWordLength { get; init; } = 3;
    public double MaxMeanWordLength { get; init; } = 10;
    public double MaxSymbolToWord { get; init; } = 0.1;       // '#' and '...' / '…' per word
    public double MaxBulletLines { get; init; } = 0.9;
    public double MaxEllipsisLines { get; init; } = 0.3;
    public double MinAlphaWords { get; init; } = 0.8;
    public int MinStopWords { get; init; } = 2;
    public double MaxDupLineFraction { get; init; } = 0.3;
    public double MaxDupParagraphFraction { get; init; } = 0.3;
    public double MaxDupLineCharFraction { get; init; } = 0.2;
    public double MaxDupParagraphCharFraction { get; init; } = 0.2;
    /// <summary>Top n-gram character fraction limits for n = 2, 3, 4.</summary>
    public double[] MaxTopNGramCharFraction { get; init; } = [0.20, 0.18, 0.16];
    /// <summary>Duplicated n-gram character fraction limits for n = 5..10.</summary>
    public double[] MaxDupNGramCharFraction { get; init; } = [0.15, 0.14, 0.13, 0.12, 0.11, 0.10];
}

public sealed class GopherFilter(GopherOptions? options = null) : IDocumentFilter
{
    private static readonly HashSet<string> StopWords = ["the", "be", "to", "of", "and", "that", "have", "with"];
    public GopherOptions Options { get; } = options ?? new GopherOptions();

    public string? Reject(Document doc) => Quality(doc.Text) ?? Repetition(doc.Text);

    public string? Quality(string text)
    {
        var o = Options;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < o.MinWords || words.Length > o.MaxWords) return "gopher:word_count";
        double mean = words.Average(w => w.Length);
        if (mean < o.MinMeanWordLength || mean > o.MaxMeanWordLength) return "gopher:mean_word_length";
        int symbols = words.Sum(w => w.Count(c => c == '#')) + CountOf(text, "...") + text.Count(c => c == '…');
        if ((double)symbols / words.Length > o.MaxSymbolToWord) return "gopher:symbol_to_word";
        var lines = text.Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length > 0)
        {
            if ((double)lines.Count(l => l.TrimStart() is var t && (t.StartsWith('•') || t.StartsWith("- ") || t.StartsWith("* ") || t.StartsWith('●'))) / lines.Length > o.MaxBulletLines) return "gopher:bullet_lines";
            if ((double)lines.Count(l => l.TrimEnd().EndsWith("...") || l.TrimEnd().EndsWith('…')) / lines.Length > o.MaxEllipsisLines) return "gopher:ellipsis_lines";
        }
        if ((double)words.Count(w => w.Any(char.IsLetter)) / words.Length < o.MinAlphaWords) return "gopher:alpha_words";
        if (words.Count(w => StopWords.Contains(w.ToLowerInvariant())) < o.MinStopWords) return "gopher:stop_words";
        return null;
    }

    public string? Repetition(string text)
    {
        var o = Options;
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var (dupLines, dupLineChars) = Duplicates(lines);
        int totalChars = Math.Max(1, text.Length);
        if (lines.Length > 0 && (double)dupLines / lines.Length > o.MaxDupLineFraction) return "gopher:dup_line_fraction";
        if ((double)dupLineChars / totalChars > o.MaxDupLineCharFraction) return "gopher:dup_line_chars";
        var paras = text.Split("\n\n").Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        var (dupParas, dupParaChars) = Duplicates(paras);
        if (paras.Length > 0 && (double)dupParas / paras.Length > o.MaxDupParagraphFraction) return "gopher:dup_paragraph_fraction";
        if ((double)dupParaChars / totalChars > o.MaxDupParagraphCharFraction) return "gopher:dup_paragraph_chars";
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        long wordChars = Math.Max(1, words.Sum(w => (long)w.Length));
        for (int n = 2; n <= 4; n++)
            if (TopNGramChars(words, n) / (double)wordChars > o.MaxTopNGramCharFraction[n - 2]) return $"gopher:top_{n}gram";
        for (int n = 5; n <= 10; n++)
            if (DupNGramChars(words, n) / (double)wordChars > o.MaxDupNGramCharFraction[n - 5]) return $"gopher:dup_{n}gram";
        return null;
    }

    private static (int Count, long Chars) Duplicates(string[] items)
    {
        var seen = new HashSet<string>();
        int n = 0;
        long chars = 0;
        foreach (var s in items) if (!seen.Add(s)) { n++; chars += s.Length; }
        return (n, chars);
    }

    /// <summary>Characters (word lengths) covered by all occurrences of the most frequent n-gram.</summary>
    internal static long TopNGramChars(string[] words, int n)
    {
        if (words.Length < n) return 0;
        var counts = new Dictionary<string, int>();
        for (int i = 0; i + n <= words.Length; i++)
        {
            var g = string.Join(' ', words, i, n);
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }
        var (top, c) = counts.MaxBy(p => p.Value);
        if (c < 2) return 0;
        return (long)c * top.Replace(" ", "").Length;
    }

    /// <summary>Characters (word lengths) of words covered by n-grams that occur more than once, each word counted once.</summary>
    internal static long DupNGramChars(string[] words, int n)
    {
        if (words.Length < n) return 0;
        var first = new Dictionary<string, int>();
        var covered = new bool[words.Length];
        for (int i = 0; i + n <= words.Length; i++)
        {
            var g = string.Join(' ', words, i, n);
            if (first.TryGetValue(g, out int j))
            {
                for (int k = 0; k < n; k++) { covered[i + k] = true; covered[j + k] = true; }
            }
            else first[g] = i;
        }
        long chars = 0;
        for (int i = 0; i < words.Length; i++) if (covered[i]) chars += words[i].Length;
        return chars;
    }

    private static int CountOf(string s, string sub)
    {
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
