// CharTokenizer: character-level vocabulary (every distinct character of a corpus, sorted by code point),
// as in nanoGPT's shakespeare_char — the baseline tokenizer for small pretraining runs. Characters outside
// the vocabulary are an error naming the character and its position.
using System.Text;
using System.Text.Json;

namespace SharpLM.Text.Char;

/// <summary>Maps each character (Unicode scalar) of a fixed alphabet to an id.</summary>
public sealed class CharTokenizer
{
    private readonly Dictionary<int, int> _toId;
    private readonly int[] _toRune;

    /// <summary>Number of distinct characters.</summary>
    public int VocabSize => _toRune.Length;

    private CharTokenizer(IEnumerable<int> runes)
    {
        _toRune = runes.Distinct().Order().ToArray();
        _toId = _toRune.Select((r, i) => (r, i)).ToDictionary(t => t.r, t => t.i);
    }

    /// <summary>The alphabet of <paramref name="corpus"/>.</summary>
    public static CharTokenizer FromCorpus(string corpus) => new(corpus.EnumerateRunes().Select(r => r.Value));

    /// <summary>Ids of <paramref name="text"/>.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        int pos = 0;
        foreach (var r in text.EnumerateRunes())
        {
            if (!_toId.TryGetValue(r.Value, out var id))
                throw new ArgumentException($"CharTokenizer: character U+{r.Value:X4} '{r}' at position {pos} is not in the vocabulary of {VocabSize} characters.");
            ids.Add(id);
            pos++;
        }
        return ids.ToArray();
    }

    /// <summary>Text of <paramref name="ids"/>.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_toRune.Length) throw new ArgumentOutOfRangeException(nameof(ids), id, $"CharTokenizer: id {id} is outside [0, {VocabSize}).");
            sb.Append(char.ConvertFromUtf32(_toRune[id]));
        }
        return sb.ToString();
    }

    /// <summary>JSON form: {"type": "char", "chars": [code points]}.</summary>
    public string ToJson() => JsonSerializer.Serialize(new { type = "char", chars = _toRune });

    /// <summary>Reads <see cref="ToJson"/> output.</summary>
    public static CharTokenizer FromJson(string json, string source = "tokenizer")
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("type", out var t) || t.GetString() != "char")
            throw new FormatException($"{source}: expected a char tokenizer (\"type\": \"char\").");
        return new CharTokenizer(root.GetProperty("chars").EnumerateArray().Select(e => e.GetInt32()));
    }
}
