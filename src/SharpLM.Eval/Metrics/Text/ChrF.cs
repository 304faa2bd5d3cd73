// ChrF: character n-gram F-score (Popović, 2015) and chrF++ (word n-grams added, Popović, 2017) as
// sacreBLEU 2.x computes them — whitespace removed before character n-grams unless kept, word n-grams over
// a split that detaches one leading or trailing punctuation mark, statistics summed over the corpus, the
// best-scoring reference per segment, and either eps smoothing (average of per-order F-scores, the
// chrF++.py / NLTK behaviour) or the effective-order average of precisions and recalls (sacreBLEU's default).
// Source: sacrebleu/metrics/chrf.py (_get_f_score, _remove_punctuation), sacrebleu/metrics/helpers.py.
namespace SharpLM.Eval.Metrics.Text;

public sealed record ChrFOptions
{
    public int CharOrder { get; init; } = 6;
    /// <summary>0 for chrF, 2 for chrF++.</summary>
    public int WordOrder { get; init; }
    public double Beta { get; init; } = 2;
    public bool Lowercase { get; init; }
    public bool KeepWhitespace { get; init; }
    public bool EpsSmoothing { get; init; }

    public static ChrFOptions ChrFPlusPlus { get; } = new() { WordOrder = 2 };
}

public static class ChrF
{
    private const double Eps = 1e-16;
    private const string Puncts = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>Corpus chrF (0–100) of hypotheses against one or more reference streams.</summary>
    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> referenceStreams, ChrFOptions? options = null)
    {
        var o = options ?? new ChrFOptions();
        if (referenceStreams.Count == 0) throw new ArgumentException("chrf: no reference streams given.");
        foreach (var s in referenceStreams) Check.SameLength("chrf", hypotheses, s);
        var total = new long[3 * (o.CharOrder + o.WordOrder)];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var seg = SegmentStatistics(hypotheses[i], referenceStreams.Select(s => s[i]).ToArray(), o);
            for (int k = 0; k < total.Length; k++) total[k] += seg[k];
        }
        return FScore(total, o);
    }

    /// <summary>Sentence chrF (0–100).</summary>
    public static double Sentence(string hypothesis, IReadOnlyList<string> references, ChrFOptions? options = null)
    {
        var o = options ?? new ChrFOptions();
        Check.NotEmpty("chrf", references, "the reference list");
        return FScore(SegmentStatistics(hypothesis, references, o), o);
    }

    // [hyp count, ref count, matches] per order: character orders first, then word orders.
    internal static long[] SegmentStatistics(string hypothesis, IReadOnlyList<string> references, ChrFOptions o)
    {
        var hyp = AllNGrams(hypothesis, o);
        long[]? best = null;
        double bestF = -1;
        foreach (var r in references)
        {
            var refGrams = AllNGrams(r, o);
            var stats = new long[3 * hyp.Count];
            for (int i = 0; i < hyp.Count; i++)
            {
                stats[3 * i] = refGrams[i].Count > 0 ? hyp[i].Values.Sum() : 0; // no hits counted without reference n-grams
                stats[3 * i + 1] = refGrams[i].Values.Sum();
                stats[3 * i + 2] = hyp[i].Sum(kv => (long)Math.Min(kv.Value, refGrams[i].GetValueOrDefault(kv.Key)));
            }
            double f = FScore(stats, o);
            if (f > bestF) { bestF = f; best = stats; }
        }
        return best!;
    }

    private static List<Dictionary<string, int>> AllNGrams(string sent, ChrFOptions o)
    {
        if (o.Lowercase) sent = sent.ToLowerInvariant();
        var res = new List<Dictionary<string, int>>();
        var chars = o.KeepWhitespace ? sent : string.Concat(BleuTokenizers.SplitWhitespace(sent));
        var runes = chars.EnumerateRunes().Select(r => r.ToString()).ToArray();
        for (int n = 1; n <= o.CharOrder; n++) res.Add(Count(runes, n, ""));
        if (o.WordOrder > 0)
        {
            var words = SplitPunctuation(sent);
            for (int n = 1; n <= o.WordOrder; n++) res.Add(Count(words, n, " "));
        }
        return res;
    }

    private static Dictionary<string, int> Count(IReadOnlyList<string> items, int n, string sep)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= items.Count; i++)
        {
            var key = string.Join(sep, items.Skip(i).Take(n));
            d[key] = d.GetValueOrDefault(key) + 1;
        }
        return d;
    }

    // sacreBLEU's _remove_punctuation: a word longer than one character loses a trailing punctuation mark
    // (checked first) or else a leading one, which becomes its own token.
    internal static List<string> SplitPunctuation(string sent)
    {
        var res = new List<string>();
        foreach (var w in BleuTokenizers.SplitWhitespace(sent))
        {
            if (w.Length == 1) res.Add(w);
            else if (Puncts.Contains(w[^1])) { res.Add(w[..^1]); res.Add(w[^1..]); }
            else if (Puncts.Contains(w[0])) { res.Add(w[..1]); res.Add(w[1..]); }
            else res.Add(w);
        }
        return res;
    }

    internal static double FScore(long[] stats, ChrFOptions o)
    {
        int orders = stats.Length / 3;
        double factor = o.Beta * o.Beta, score = 0, avgPrec = 0, avgRec = 0;
        int effective = 0;
        for (int i = 0; i < orders; i++)
        {
            long nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2];
            double prec = nHyp > 0 ? (double)nMatch / nHyp : Eps;
            double rec = nRef > 0 ? (double)nMatch / nRef : Eps;
            double denom = factor * prec + rec;
            score += denom > 0 ? (1 + factor) * prec * rec / denom : Eps;
            if (nHyp > 0 && nRef > 0) { effective++; avgPrec += prec; avgRec += rec; }
        }
        if (o.EpsSmoothing) return 100 * score / orders;
        if (effective == 0) return 0.0;
        avgPrec /= effective;
        avgRec /= effective;
        if (avgPrec + avgRec == 0) return 0.0;
        return 100 * (1 + factor) * avgPrec * avgRec / (factor * avgPrec + avgRec);
    }
}
