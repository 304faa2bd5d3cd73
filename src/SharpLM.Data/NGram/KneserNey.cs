// KneserNey: interpolated Kneser-Ney estimation into a back-off (ARPA) model.
//  - Modified: Chen & Goodman (1998) "An Empirical Study of Smoothing Techniques for Language Modeling", sec. 3.5,
//    three discounts D1, D2, D3+ per order from count-of-counts (Y = n1/(n1+2 n2), Dk = k - (k+1) Y n_{k+1}/n_k),
//    continuation ("adjusted") counts N1+(. g) below the top order except for n-grams starting with <s>, the
//    unigram level interpolated with the uniform distribution over the vocabulary (<unk> included, <s> excluded).
//    This is the recipe of KenLM's lmplz; single <s>/</s> padding.
//  - NltkInterpolated: nltk.lm.KneserNeyInterpolated (NLTK 3.8) exactly: one discount d for all orders, NLTK
//    padding (order-1 pads on each side, all tokens counted as everygrams), raw counts at the top order,
//    continuation counts below it with gamma = d N1+(ctx .) / N1+(. ctx .), and the unigram level the pure
//    continuation distribution N1+(. w) / N1+(. .) (no uniform floor, so unseen words get probability 0).
namespace SharpLM.Data.NGram;

public enum KneserNeyVariant { Modified, NltkInterpolated }

public sealed record KneserNeyOptions
{
    public int Order { get; init; } = 3;
    public KneserNeyVariant Variant { get; init; } = KneserNeyVariant.Modified;
    /// <summary>NltkInterpolated: the single discount (NLTK's default is 0.1).</summary>
    public double Discount { get; init; } = 0.1;
    /// <summary>Modified: fixed discounts [order-1][D1, D2, D3+] instead of the count-of-counts estimate.</summary>
    public double[][]? FixedDiscounts { get; init; }
    /// <summary>Modified: discounts for an order whose count-of-counts n1..n4 has a zero (KenLM's --discount_fallback
    /// values by default); null to fail instead.</summary>
    public double[]? DiscountFallback { get; init; } = [0.5, 1.0, 1.5];

    public SentencePadding Padding => Variant == KneserNeyVariant.Modified ? SentencePadding.Single : SentencePadding.OrderMinusOne;
}

public static class KneserNey
{
    /// <summary>Counts <paramref name="lines"/> (whitespace tokens, one sentence a line) and estimates the model.</summary>
    public static BackoffModel Train(IEnumerable<string> lines, KneserNeyOptions options)
    {
        var counts = new NGramCounts(options.Order, options.Padding);
        counts.AddLines(lines);
        return Estimate(counts, options);
    }

    public static BackoffModel Estimate(NGramCounts counts, KneserNeyOptions options)
    {
        if (counts.Order != options.Order || counts.Padding != options.Padding)
            throw new ArgumentException($"counts were made for order {counts.Order} with {counts.Padding} padding; the options need order {options.Order} with {options.Padding}.");
        if (counts.Sentences == 0) throw new ArgumentException("KneserNey: no sentences to estimate from.");
        if (options.Variant == KneserNeyVariant.NltkInterpolated && !(options.Discount > 0 && options.Discount <= 1))
            throw new ArgumentException($"KneserNey: the NltkInterpolated discount must be in (0, 1], got {options.Discount}.");
        return options.Variant == KneserNeyVariant.Modified ? EstimateModified(counts, options) : EstimateNltk(counts, options);
    }

    /// <summary>The Chen & Goodman discounts D1, D2, D3+ from the count-of-counts n1..n4 of one order.</summary>
    public static double[] ModifiedDiscounts(long n1, long n2, long n3, long n4, int order = 0)
    {
        if (n1 == 0 || n2 == 0 || n3 == 0 || n4 == 0)
            throw new ArgumentException($"KneserNey: order {order} has count-of-counts n1..n4 = {n1}, {n2}, {n3}, {n4}; a zero cannot give modified Kneser-Ney discounts. Use more text or FixedDiscounts.");
        double y = n1 / (n1 + 2.0 * n2);
        return [1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3];
    }

    /// <summary>N1+(. g): distinct left extensions of every n-gram of order k, counted from order k+1.</summary>
    private static Dictionary<NGramKey, long> LeftExtensions(NGramCounts c, int k)
    {
        var r = new Dictionary<NGramKey, long>();
        foreach (var g in c.Of(k + 1).Keys)
        {
            var s = g.Suffix;
            r[s] = r.GetValueOrDefault(s) + 1;
        }
        return r;
    }

    private static BackoffModel EstimateModified(NGramCounts c, KneserNeyOptions o)
    {
        int n = o.Order;
        var v = c.Vocabulary;
        // adjusted counts a(g) per order
        var adj = new Dictionary<NGramKey, long>[n + 1];
        for (int k = 1; k <= n; k++)
        {
            if (k == n) { adj[k] = c.Of(k).ToDictionary(); continue; }
            var left = LeftExtensions(c, k);
            adj[k] = new Dictionary<NGramKey, long>();
            foreach (var (g, raw) in c.Of(k))
            {
                if (k == 1 && g[0] == v.BosId) continue; // <s> is never predicted
                adj[k][g] = g[0] == v.BosId ? raw : left.GetValueOrDefault(g);
            }
        }
        var model = new BackoffModel(n, v, SentencePadding.Single);
        var prob = new Dictionary<NGramKey, double>(); // interpolated probability of every listed n-gram
        var gamma = new Dictionary<NGramKey, double>();
        for (int k = 1; k <= n; k++)
        {
            double[] d;
            if (o.FixedDiscounts is { } fd) d = fd[k - 1];
            else
            {
                var coc = new long[5];
                foreach (var a in adj[k].Values) if (a is >= 1 and <= 4) coc[a]++;
                d = (coc[1] == 0 || coc[2] == 0 || coc[3] == 0 || coc[4] == 0) && o.DiscountFallback is { } fb ? fb : ModifiedDiscounts(coc[1], coc[2], coc[3], coc[4], k);
            }
            // per-context totals and the mass given to the lower order
            var ctx = new Dictionary<NGramKey, (double Sum, double Mass)>();
            foreach (var (g, a) in adj[k])
            {
                var h = g.Context;
                var t = ctx.GetValueOrDefault(h);
                ctx[h] = (t.Sum + a, t.Mass + (a == 0 ? 0 : d[Math.Min(a, 3) - 1]));
            }
            foreach (var (h, t) in ctx) gamma[h] = t.Mass / t.Sum;
            if (k == 1)
            {
                var t = ctx[default];
                int predicted = v.Count - 1; // every word but <s>
                double uniform = t.Mass / t.Sum / predicted;
                for (int w = 0; w < v.Count; w++)
                {
                    if (w == v.BosId) continue;
                    var g = new NGramKey([w]);
                    long a = adj[1].GetValueOrDefault(g);
                    prob[g] = (a == 0 ? 0 : (a - d[Math.Min(a, 3) - 1]) / t.Sum) + uniform;
                }
                prob[new NGramKey([v.BosId])] = 0;
                continue;
            }
            foreach (var (g, a) in adj[k])
            {
                var h = g.Context;
                prob[g] = (a - d[Math.Min(a, 3) - 1]) / ctx[h].Sum + gamma[h] * prob[g.Suffix];
            }
        }
        foreach (var (g, p) in prob)
            model.Set(g, new ArpaEntry(p > 0 ? Math.Log10(p) : BackoffModel.LogZero, g.Length < n && gamma.TryGetValue(g, out var b) ? Math.Log10(b) : 0));
        return model;
    }

    private static BackoffModel EstimateNltk(NGramCounts c, KneserNeyOptions o)
    {
        int n = o.Order;
        double d = o.Discount;
        var v = c.Vocabulary;
        var model = new BackoffModel(n, v, SentencePadding.OrderMinusOne);
        var prob = new Dictionary<NGramKey, double>();
        var gamma = new Dictionary<NGramKey, double>();
        if (n == 1)
        {
            // nltk's unigram continuation needs bigram counts; with order 1 there are none (NLTK divides by zero)
            throw new ArgumentException("NltkInterpolated needs order >= 2 (NLTK's unigram level is a bigram continuation distribution).");
        }
        // unigram: N1+(. w) / N1+(. .)
        var left1 = LeftExtensions(c, 1);
        double bigramTypes = c.Of(2).Count;
        foreach (var g in c.Of(1).Keys) prob[g] = left1.GetValueOrDefault(g) / bigramTypes;
        for (int k = 2; k <= n; k++)
        {
            // numerator counts of the alpha term: raw at the top order, continuation below it
            var num = k == n ? c.Of(k).ToDictionary() : LeftExtensions(c, k);
            var ctx = new Dictionary<NGramKey, (double Total, long Types)>();
            foreach (var g in c.Of(k).Keys)
            {
                var h = g.Context;
                var t = ctx.GetValueOrDefault(h);
                ctx[h] = (t.Total + num.GetValueOrDefault(g), t.Types + 1);
            }
            foreach (var (h, t) in ctx) gamma[h] = t.Total > 0 ? d * t.Types / t.Total : 1;
            foreach (var g in c.Of(k).Keys)
            {
                var t = ctx[g.Context];
                double alpha = t.Total > 0 ? Math.Max(num.GetValueOrDefault(g) - d, 0) / t.Total : 0;
                prob[g] = alpha + gamma[g.Context] * prob[g.Suffix];
            }
        }
        foreach (var (g, p) in prob)
            model.Set(g, new ArpaEntry(p > 0 ? Math.Log10(p) : BackoffModel.LogZero, g.Length < n && gamma.TryGetValue(g, out var b) ? Math.Log10(b) : 0));
        return model;
    }
}
