// Rouge: ROUGE-N, ROUGE-L and ROUGE-Lsum (Lin, 2004) exactly as Google's rouge-score package computes them:
// tokens are the lower-cased text with every run of characters outside [a-z0-9] turned into a space, words
// longer than three letters optionally Porter-stemmed (NLTK's variant); ROUGE-N clips n-gram counts;
// ROUGE-L is the LCS over whole texts; ROUGE-Lsum splits both texts on newlines and takes the union LCS per
// reference sentence with hits capped by the remaining token counts (ROUGE-1.5.5's summary-level LCS).
// Source: google-research/rouge/{rouge_scorer.py, tokenize.py, scoring.py}.
using System.Text;

namespace SharpLM.Eval.Metrics.Text;

/// <summary>Precision, recall and F1 of one ROUGE variant.</summary>
public readonly record struct RougeScore(double Precision, double Recall, double FMeasure)
{
    internal static RougeScore From(double p, double r) => new(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0);
}

public static class Rouge
{
    /// <summary>rouge-score's tokenizer.</summary>
    public static List<string> Tokenize(string text, bool useStemmer)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.ToLowerInvariant()) sb.Append(ch is >= 'a' and <= 'z' or >= '0' and <= '9' ? ch : ' ');
        var res = new List<string>();
        foreach (var t in sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            res.Add(useStemmer && t.Length > 3 ? PorterStemmer.Stem(t) : t);
        return res;
    }

    /// <summary>
    /// Scores <paramref name="prediction"/> against <paramref name="target"/> for each type ("rouge1".."rouge9",
    /// "rougeL", "rougeLsum"); argument order as rouge-score's <c>score(target, prediction)</c>.
    /// </summary>
    public static Dictionary<string, RougeScore> Score(string target, string prediction, IEnumerable<string> rougeTypes, bool useStemmer = false)
    {
        var types = rougeTypes.ToArray();
        foreach (var t in types) ParseType(t);
        var tgt = Tokenize(target, useStemmer);
        var pred = Tokenize(prediction, useStemmer);
        var res = new Dictionary<string, RougeScore>();
        foreach (var t in types)
        {
            res[t] = t switch
            {
                "rougeL" => Lcs(tgt, pred),
                "rougeLsum" => SummaryLevelLcs(Sentences(target, useStemmer), Sentences(prediction, useStemmer)),
                _ => NGram(tgt, pred, ParseType(t)),
            };
        }
        return res;
    }

    /// <summary>Mean of each type's precision, recall and F over a corpus of pairs (rouge-score has no corpus pooling).</summary>
    public static Dictionary<string, RougeScore> Mean(IReadOnlyList<string> targets, IReadOnlyList<string> predictions, IEnumerable<string> rougeTypes, bool useStemmer = false)
    {
        Check.SameLength("rouge", predictions, targets);
        var types = rougeTypes.ToArray();
        var sums = types.ToDictionary(t => t, _ => (P: 0.0, R: 0.0, F: 0.0));
        for (int i = 0; i < targets.Count; i++)
            foreach (var (k, s) in Score(targets[i], predictions[i], types, useStemmer))
                sums[k] = (sums[k].P + s.Precision, sums[k].R + s.Recall, sums[k].F + s.FMeasure);
        return sums.ToDictionary(kv => kv.Key, kv => new RougeScore(kv.Value.P / targets.Count, kv.Value.R / targets.Count, kv.Value.F / targets.Count));
    }

    private static int ParseType(string t)
    {
        if (t is "rougeL" or "rougeLsum") return 0;
        if (t.Length == 6 && t.StartsWith("rouge", StringComparison.Ordinal) && t[5] is >= '1' and <= '9') return t[5] - '0';
        throw new ArgumentException($"rouge: invalid rouge type '{t}'; expected rouge1..rouge9, rougeL or rougeLsum.");
    }

    private static List<List<string>> Sentences(string text, bool stem) =>
        text.Split('\n').Where(s => s.Length > 0).Select(s => Tokenize(s, stem)).ToList();

    private static RougeScore NGram(List<string> target, List<string> prediction, int n)
    {
        var t = Count(target, n);
        var p = Count(prediction, n);
        long inter = t.Sum(kv => (long)Math.Min(kv.Value, p.GetValueOrDefault(kv.Key)));
        long tn = t.Values.Sum(), pn = p.Values.Sum();
        return RougeScore.From((double)inter / Math.Max(pn, 1), (double)inter / Math.Max(tn, 1));
    }

    private static Dictionary<string, int> Count(List<string> tokens, int n)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            var k = string.Join(' ', tokens.Skip(i).Take(n));
            d[k] = d.GetValueOrDefault(k) + 1;
        }
        return d;
    }

    private static RougeScore Lcs(List<string> target, List<string> prediction)
    {
        if (target.Count == 0 || prediction.Count == 0) return new RougeScore(0, 0, 0);
        int len = LcsTable(target, prediction)[target.Count, prediction.Count];
        return RougeScore.From((double)len / prediction.Count, (double)len / target.Count);
    }

    internal static int[,] LcsTable(IReadOnlyList<string> r, IReadOnlyList<string> c)
    {
        var t = new int[r.Count + 1, c.Count + 1];
        for (int i = 1; i <= r.Count; i++)
            for (int j = 1; j <= c.Count; j++)
                t[i, j] = r[i - 1] == c[j - 1] ? t[i - 1, j - 1] + 1 : Math.Max(t[i - 1, j], t[i, j - 1]);
        return t;
    }

    // Indices into r of one LCS, read back the way rouge-score's _backtrack_norec does.
    internal static List<int> LcsIndices(IReadOnlyList<string> r, IReadOnlyList<string> c)
    {
        var t = LcsTable(r, c);
        var res = new List<int>();
        int i = r.Count, j = c.Count;
        while (i > 0 && j > 0)
        {
            if (r[i - 1] == c[j - 1]) { res.Add(i - 1); i--; j--; }
            else if (t[i, j - 1] > t[i - 1, j]) j--;
            else i--;
        }
        res.Reverse();
        return res;
    }

    internal static RougeScore SummaryLevelLcs(List<List<string>> refSents, List<List<string>> canSents)
    {
        if (refSents.Count == 0 || canSents.Count == 0) return new RougeScore(0, 0, 0);
        int m = refSents.Sum(s => s.Count), n = canSents.Sum(s => s.Count);
        if (m == 0 || n == 0) return new RougeScore(0, 0, 0);
        var cntR = new Dictionary<string, int>(StringComparer.Ordinal);
        var cntC = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in refSents) foreach (var t in s) cntR[t] = cntR.GetValueOrDefault(t) + 1;
        foreach (var s in canSents) foreach (var t in s) cntC[t] = cntC.GetValueOrDefault(t) + 1;
        int hits = 0;
        foreach (var r in refSents)
        {
            var union = new SortedSet<int>();
            foreach (var c in canSents) union.UnionWith(LcsIndices(r, c));
            foreach (var idx in union)
            {
                var tok = r[idx];
                if (cntC.GetValueOrDefault(tok) > 0 && cntR.GetValueOrDefault(tok) > 0) { hits++; cntC[tok]--; cntR[tok]--; }
            }
        }
        return RougeScore.From((double)hits / n, (double)hits / m);
    }
}
