// NGramCounts: raw counts of every n-gram of order 1..N inside padded sentences (NLTK's "everygrams").
namespace SharpLM.Data.NGram;

public sealed class NGramCounts
{
    private readonly Dictionary<NGramKey, long>[] _counts;

    public NGramCounts(int order, SentencePadding padding, LmVocabulary? vocabulary = null)
    {
        if (order is < 1 or > NGramKey.MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), $"n-gram order must be 1..{NGramKey.MaxOrder}, got {order}.");
        Order = order;
        Padding = padding;
        Vocabulary = vocabulary ?? new LmVocabulary();
        _counts = new Dictionary<NGramKey, long>[order + 1];
        for (int k = 1; k <= order; k++) _counts[k] = new Dictionary<NGramKey, long>();
    }

    public int Order { get; }
    public SentencePadding Padding { get; }
    public LmVocabulary Vocabulary { get; }
    public long Sentences { get; private set; }
    public long Tokens { get; private set; }

    /// <summary>The raw count table of order <paramref name="k"/>.</summary>
    public IReadOnlyDictionary<NGramKey, long> Of(int k) => _counts[k];

    public long Count(NGramKey g) => _counts[g.Length].GetValueOrDefault(g);

    /// <summary>Counts one sentence given as whitespace-separated words (an empty line is skipped).</summary>
    public void AddSentence(string line) => AddSentence(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public void AddSentence(IReadOnlyList<string> words)
    {
        if (words.Count == 0) return;
        var ids = new int[words.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = Vocabulary.Add(words[i]);
        var (padded, _) = NGram.Padding.Pad(ids, Order, Padding, Vocabulary);
        for (int i = 0; i < padded.Length; i++)
            for (int k = 1; k <= Order && i + k <= padded.Length; k++)
            {
                var key = new NGramKey(padded.AsSpan(i, k));
                _counts[k][key] = _counts[k].GetValueOrDefault(key) + 1;
            }
        Sentences++;
        Tokens += words.Count;
    }

    /// <summary>Adds every non-empty line of <paramref name="lines"/>.</summary>
    public void AddLines(IEnumerable<string> lines)
    {
        foreach (var l in lines) AddSentence(l);
    }
}
