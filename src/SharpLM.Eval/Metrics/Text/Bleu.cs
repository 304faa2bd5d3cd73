// Bleu: corpus and sentence BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.x computes it — clipped
// n-gram matches against the element-wise maximum of the references' counts, the closest reference length
// (shorter wins ties) for the brevity penalty, and the smoothing methods of Chen & Cherry (2014) as sacreBLEU
// names them: none, floor (method 1), add-k (method 2), exp (method 3, the NIST/mteval default).
// Source: sacrebleu/metrics/bleu.py (compute_bleu, _get_closest_ref_len, _compute_segment_statistics).
namespace SharpLM.Eval.Metrics.Text;

public enum BleuSmoothing { None, Floor, AddK, Exp }

/// <summary>BLEU settings; the defaults are sacreBLEU's corpus defaults.</summary>
public sealed record BleuOptions
{
    public BleuTokenizer Tokenizer { get; init; } = BleuTokenizer.Mteval13a;
    public bool Lowercase { get; init; }
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exp;
    /// <summary>The floor (default 0.1) or k (default 1); ignored by none and exp.</summary>
    public double? SmoothValue { get; init; }
    public int MaxOrder { get; init; } = 4;
    /// <summary>Stop at the highest n-gram order with any hypothesis n-grams (sacreBLEU's effective_order).</summary>
    public bool EffectiveOrder { get; init; }
}

/// <summary>A BLEU score on sacreBLEU's 0–100 scale with its sufficient statistics.</summary>
public sealed record BleuScore(double Score, long[] Counts, long[] Totals, double[] Precisions, double BrevityPenalty, long SysLen, long RefLen);

public static class Bleu
{
    /// <summary>
    /// Corpus BLEU of <paramref name="hypotheses"/> against one or more reference streams (each stream holds
    /// one reference per hypothesis, sacreBLEU's layout).
    /// </summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> referenceStreams, BleuOptions? options = null)
    {
        var o = options ?? new BleuOptions();
        ArgumentNullException.ThrowIfNull(referenceStreams);
        if (referenceStreams.Count == 0) throw new ArgumentException("bleu: no reference streams given.");
        foreach (var s in referenceStreams) Check.SameLength("bleu", hypotheses, s);
        var stats = new long[2 + 2 * o.MaxOrder];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var seg = SegmentStatistics(hypotheses[i], referenceStreams.Select(s => s[i]).ToArray(), o);
            for (int k = 0; k < stats.Length; k++) stats[k] += seg[k];
        }
        return FromStatistics(stats, o);
    }

    /// <summary>Sentence BLEU; as in sacreBLEU's sentence_score the caller usually sets EffectiveOrder.</summary>
    public static BleuScore Sentence(string hypothesis, IReadOnlyList<string> references, BleuOptions? options = null)
    {
        var o = options ?? new BleuOptions { EffectiveOrder = true };
        Check.NotEmpty("bleu", references, "the reference list");
        return FromStatistics(SegmentStatistics(hypothesis, references, o), o);
    }

    /// <summary>[sysLen, refLen, correct_1..N, total_1..N] for one segment.</summary>
    internal static long[] SegmentStatistics(string hypothesis, IReadOnlyList<string> references, BleuOptions o)
    {
        var hypTokens = Preprocess(hypothesis, o);
        var hyp = NGrams(hypTokens, o.MaxOrder);
        Dictionary<string, int>? refMax = null;
        var refLens = new List<int>();
        foreach (var r in references)
        {
            var toks = Preprocess(r, o);
            refLens.Add(toks.Count);
            var g = NGrams(toks, o.MaxOrder);
            if (refMax is null) refMax = g;
            else foreach (var (k, c) in g) refMax[k] = Math.Max(refMax.GetValueOrDefault(k), c);
        }
        var stats = new long[2 + 2 * o.MaxOrder];
        stats[0] = hypTokens.Count;
        stats[1] = ClosestRefLen(hypTokens.Count, refLens);
        for (int n = 1; n <= o.MaxOrder; n++) stats[2 + o.MaxOrder + n - 1] = Math.Max(0, hypTokens.Count - n + 1);
        foreach (var (k, c) in hyp)
        {
            int n = 1 + k.Count(ch => ch == '\u0001');
            stats[2 + n - 1] += Math.Min(c, refMax!.GetValueOrDefault(k));
        }
        return stats;
    }

    private static List<string> Preprocess(string s, BleuOptions o)
    {
        if (o.Lowercase) s = s.ToLowerInvariant();
        return BleuTokenizers.SplitWhitespace(BleuTokenizers.Tokenize(s.TrimEnd(BleuTokenizers.PyWhitespace), o.Tokenizer));
    }

    // n-grams of orders 1..max keyed by their tokens joined with U+0001 (which no tokenizer emits).
    private static Dictionary<string, int> NGrams(List<string> tokens, int max)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= max; n++)
            for (int i = 0; i + n <= tokens.Count; i++)
            {
                var key = string.Join('\u0001', tokens.Skip(i).Take(n));
                d[key] = d.GetValueOrDefault(key) + 1;
            }
        return d;
    }

    private static int ClosestRefLen(int hypLen, List<int> refLens)
    {
        int bestDiff = -1, best = -1;
        foreach (var r in refLens)
        {
            int diff = Math.Abs(hypLen - r);
            if (bestDiff == -1 || diff < bestDiff) { bestDiff = diff; best = r; }
            else if (diff == bestDiff && r < best) best = r;
        }
        return best;
    }

    private static BleuScore FromStatistics(long[] stats, BleuOptions o) =>
        Compute(stats[2..(2 + o.MaxOrder)], stats[(2 + o.MaxOrder)..], stats[0], stats[1], o.Smoothing, o.SmoothValue, o.EffectiveOrder);

    /// <summary>BLEU from sufficient statistics (sacreBLEU's compute_bleu), on the 0–100 scale.</summary>
    public static BleuScore Compute(IReadOnlyList<long> correct, IReadOnlyList<long> total, long sysLen, long refLen,
        BleuSmoothing smoothing = BleuSmoothing.None, double? smoothValue = null, bool effectiveOrder = false)
    {
        if (correct.Count != total.Count)
            throw new ArgumentException($"bleu: {correct.Count} match counts for {total.Count} totals; the lengths must be equal.");
        int maxOrder = correct.Count;
        double value = smoothValue ?? (smoothing == BleuSmoothing.Floor ? 0.1 : 1.0);
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.Exp(1.0 - (double)refLen / sysLen) : 0.0) : 1.0;
        var precisions = new double[maxOrder];
        var counts = correct.ToArray();
        var totals = total.ToArray();
        if (counts.All(c => c == 0)) return new BleuScore(0.0, counts, totals, precisions, bp, sysLen, refLen);

        double smoothMteval = 1.0;
        int effOrder = maxOrder;
        for (int n = 1; n <= maxOrder; n++)
        {
            double c = counts[n - 1], t = totals[n - 1];
            if (smoothing == BleuSmoothing.AddK && n > 1) { c += value; t += value; }
            if (t == 0) break;
            if (effectiveOrder) effOrder = n;
            if (c == 0)
            {
                if (smoothing == BleuSmoothing.Exp) { smoothMteval *= 2; precisions[n - 1] = 100.0 / (smoothMteval * t); }
                else if (smoothing == BleuSmoothing.Floor) precisions[n - 1] = 100.0 * value / t;
            }
            else precisions[n - 1] = 100.0 * c / t;
        }
        double logSum = 0;
        for (int i = 0; i < effOrder; i++) logSum += precisions[i] > 0 ? Math.Log(precisions[i]) : -9999999999.0;
        return new BleuScore(bp * Math.Exp(logSum / effOrder), counts, totals, precisions, bp, sysLen, refLen);
    }

    public static BleuSmoothing ParseSmoothing(string name) => name switch
    {
        "none" => BleuSmoothing.None,
        "floor" => BleuSmoothing.Floor,
        "add-k" => BleuSmoothing.AddK,
        "exp" => BleuSmoothing.Exp,
        _ => throw new ArgumentException($"bleu: unknown smoothing '{name}'; expected none, floor, add-k or exp."),
    };
}
