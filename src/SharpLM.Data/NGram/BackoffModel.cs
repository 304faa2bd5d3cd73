// BackoffModel: an ARPA-style back-off n-gram model (log10 probabilities and back-off weights) and its queries:
// p(w | w1..wk) = P(w1..wk w) when listed, else bow(w1..wk) * p(w | w2..wk) (Katz form, as KenLM/SRILM read ARPA).
namespace SharpLM.Data.NGram;

/// <summary>One listed n-gram: log10 probability and log10 back-off weight (0 when it is never a context).</summary>
public readonly record struct ArpaEntry(double LogProb, double LogBackoff);

/// <summary>Perplexity of a sentence or corpus: total log10 probability over the predicted tokens.</summary>
public readonly record struct PerplexityResult(double Log10Prob, long Predictions, long Oov)
{
    public double Perplexity => Math.Pow(10, -Log10Prob / Math.Max(1, Predictions));
    public PerplexityResult Add(PerplexityResult o) => new(Log10Prob + o.Log10Prob, Predictions + o.Predictions, Oov + o.Oov);
}

public sealed class BackoffModel
{
    /// <summary>What ARPA files write for log10(0).</summary>
    public const double LogZero = -99;
    private readonly Dictionary<NGramKey, ArpaEntry>[] _tables;

    public BackoffModel(int order, LmVocabulary vocabulary, SentencePadding padding = SentencePadding.Single)
    {
        if (order is < 1 or > NGramKey.MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), $"n-gram order must be 1..{NGramKey.MaxOrder}, got {order}.");
        Order = order;
        Vocabulary = vocabulary;
        Padding = padding;
        _tables = new Dictionary<NGramKey, ArpaEntry>[order + 1];
        for (int k = 1; k <= order; k++) _tables[k] = new Dictionary<NGramKey, ArpaEntry>();
    }

    public int Order { get; }
    public LmVocabulary Vocabulary { get; }
    public SentencePadding Padding { get; set; }

    public IReadOnlyDictionary<NGramKey, ArpaEntry> Of(int k) => _tables[k];

    public void Set(NGramKey g, ArpaEntry e) => _tables[g.Length][g] = e;

    public bool TryGet(NGramKey g, out ArpaEntry e) => _tables[g.Length].TryGetValue(g, out e);

    /// <summary>log10 p(word | context), context oldest first (only its last order-1 ids are used); -inf when the
    /// word is unknown and the model has no &lt;unk&gt; probability.</summary>
    public double LogProb(ReadOnlySpan<int> context, int word)
    {
        int k = Math.Min(context.Length, Order - 1);
        Span<int> buf = stackalloc int[NGramKey.MaxOrder];
        double bow = 0;
        for (; k >= 0; k--)
        {
            context[^k..].CopyTo(buf);
            buf[k] = word;
            if (_tables[k + 1].TryGetValue(new NGramKey(buf[..(k + 1)]), out var e)) return bow + Clamp(e.LogProb);
            if (k > 0 && _tables[k].TryGetValue(new NGramKey(buf[..k]), out var c)) bow += c.LogBackoff;
        }
        if (word != Vocabulary.UnkId && _tables[1].TryGetValue(new NGramKey([Vocabulary.UnkId]), out var unk)) return bow + Clamp(unk.LogProb);
        return double.NegativeInfinity;
    }

    private static double Clamp(double lp) => lp <= LogZero ? double.NegativeInfinity : lp;

    /// <summary>Scores one whitespace-tokenised sentence with this model's padding convention.</summary>
    public PerplexityResult Score(string sentence) => Score(sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public PerplexityResult Score(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return default;
        var ids = new int[words.Count];
        long oov = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = Vocabulary.IdOrUnk(words[i]);
            if (ids[i] == Vocabulary.UnkId && words[i] != LmVocabulary.Unk) oov++;
        }
        var (padded, first) = NGram.Padding.Pad(ids, Order, Padding, Vocabulary);
        double sum = 0;
        for (int i = first; i < padded.Length; i++)
            sum += LogProb(padded.AsSpan(Math.Max(0, i - (Order - 1)), Math.Min(i, Order - 1)), padded[i]);
        return new PerplexityResult(sum, padded.Length - first, oov);
    }

    /// <summary>log10 probabilities of each predicted token of a sentence, in order.</summary>
    public double[] TokenLogProbs(IReadOnlyList<string> words)
    {
        var ids = words.Select(Vocabulary.IdOrUnk).ToArray();
        var (padded, first) = NGram.Padding.Pad(ids, Order, Padding, Vocabulary);
        var r = new double[padded.Length - first];
        for (int i = first; i < padded.Length; i++)
            r[i - first] = LogProb(padded.AsSpan(Math.Max(0, i - (Order - 1)), Math.Min(i, Order - 1)), padded[i]);
        return r;
    }

    /// <summary>Corpus perplexity: total log10 probability over all predicted tokens of all non-empty lines.</summary>
    public PerplexityResult ScoreCorpus(IEnumerable<string> lines)
    {
        var total = default(PerplexityResult);
        foreach (var l in lines) total = total.Add(Score(l));
        return total;
    }
}
