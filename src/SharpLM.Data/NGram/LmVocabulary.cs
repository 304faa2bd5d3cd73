// LmVocabulary: word <-> id map for the n-gram LM, with the ARPA special words <s>, </s> and <unk>.
namespace SharpLM.Data.NGram;

public sealed class LmVocabulary
{
    public const string Bos = "<s>", Eos = "</s>", Unk = "<unk>";
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _words = [];

    public LmVocabulary()
    {
        BosId = Add(Bos);
        EosId = Add(Eos);
        UnkId = Add(Unk);
    }

    public int BosId { get; }
    public int EosId { get; }
    public int UnkId { get; }
    public int Count => _words.Count;
    public IReadOnlyList<string> Words => _words;

    /// <summary>The id of <paramref name="word"/>, adding it if new.</summary>
    public int Add(string word)
    {
        if (_ids.TryGetValue(word, out int id)) return id;
        id = _words.Count;
        _ids[word] = id;
        _words.Add(word);
        return id;
    }

    /// <summary>The id of <paramref name="word"/>, or the id of &lt;unk&gt; when it is unknown.</summary>
    public int IdOrUnk(string word) => _ids.TryGetValue(word, out int id) ? id : UnkId;

    public bool Contains(string word) => _ids.ContainsKey(word);

    public string this[int id] => _words[id];
}
