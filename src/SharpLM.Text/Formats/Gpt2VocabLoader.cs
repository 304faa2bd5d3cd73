// Gpt2VocabLoader: GPT-2's vocab.json (token -> id, byte-to-unicode form) and merges.txt ("#version" line,
// then one "left right" pair per line, rank = order). Also parses merge lists from GGUF and tokenizer.json.
using System.Text.Json;
using SharpLM.Text.Bpe;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Formats;

/// <summary>Loads GPT-2 style vocab.json + merges.txt.</summary>
public static class Gpt2VocabLoader
{
    /// <summary>Loads from a folder holding vocab.json and merges.txt, or from the two paths.</summary>
    public static ByteLevelBpeTokenizer Load(string vocabJsonPath, string mergesPath, string[]? preTokenizer = null)
    {
        var vocab = ReadVocabJson(vocabJsonPath);
        var lines = File.ReadAllLines(mergesPath);
        if (lines.All(string.IsNullOrWhiteSpace))
            throw new InvalidDataException($"{mergesPath}: the file is empty; expected a '#version' line and one 'left right' merge per line.");
        var merges = ParseMerges(vocab, lines.Where(l => !l.StartsWith("#version", StringComparison.Ordinal)), mergesPath, lines[0].StartsWith("#version") ? 2 : 1);
        var added = new List<AddedToken>();
        if (vocab["<|endoftext|>"] is int eot) added.Add(new AddedToken(eot, "<|endoftext|>", true));
        var types = vocab.Types.ToArray();
        foreach (var a in added) types[a.Id] = TokenType.Control;
        var typed = new TokenVocab(vocab.Tokens, types);
        int? e = typed["<|endoftext|>"];
        var sp = new SpecialTokens { Bos = e, Eos = e };
        return new ByteLevelBpeTokenizer(typed, merges, new RegexPreTokenizer(preTokenizer ?? [PreTokenizerPatterns.Gpt2]), sp, added, source: vocabJsonPath);
    }

    /// <summary>Reads a JSON object of token -> id into an id-indexed vocabulary (ids must be 0..n-1).</summary>
    public static TokenVocab ReadVocabJson(string path)
    {
        using var doc = SharpLM.Formats.JsonFile.Parse(path, "a JSON object of token -> id (GPT-2 vocab.json)");
        return VocabFromJsonObject(doc.RootElement, path);
    }

    internal static TokenVocab VocabFromJsonObject(JsonElement obj, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: expected a JSON object of token -> id.");
        var pairs = new List<(string, int)>();
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new InvalidDataException($"{where}: token \"{p.Name}\" has id {p.Value}; expected a non-negative integer.");
            pairs.Add((p.Name, id));
        }
        int n = pairs.Count == 0 ? 0 : pairs.Max(p => p.Item2) + 1;
        var tokens = new string?[n];
        foreach (var (t, id) in pairs)
        {
            if (tokens[id] != null) throw new InvalidDataException($"{where}: id {id} is given to both \"{tokens[id]}\" and \"{t}\".");
            tokens[id] = t;
        }
        for (int i = 0; i < n; i++)
            if (tokens[i] == null) throw new InvalidDataException($"{where}: no token has id {i}; expected ids 0..{n - 1} without gaps.");
        return new TokenVocab(tokens!);
    }

    /// <summary>Parses "left right" merge lines; rank = position. Lines whose parts or result are not in the
    /// vocabulary are errors naming <paramref name="where"/> and the line number.</summary>
    public static BpeMerges ParseMerges(TokenVocab vocab, IEnumerable<string> lines, string where, int firstLineNumber = 1) =>
        ParseMerges(vocab, lines, where, firstLineNumber, null);

    /// <summary>As llama.cpp reads GGUF merges: a part or result that is not a token gets an id past the
    /// vocabulary (vocab.Count + its index in <paramref name="extra"/>), as llama.cpp ranks merges by string.</summary>
    public static BpeMerges ParseMergesAsLlamaCpp(TokenVocab vocab, IEnumerable<string> lines, string where, List<string> extra) =>
        ParseMerges(vocab, lines, where, 1, extra);

    private static BpeMerges ParseMerges(TokenVocab vocab, IEnumerable<string> lines, string where, int firstLineNumber, List<string>? extra)
    {
        var merges = new BpeMerges(vocab.Count);
        int rank = 0, lineNo = firstLineNumber - 1;
        foreach (var line in lines)
        {
            lineNo++;
            if (line.Length == 0) continue;
            int sp = line.IndexOf(' ', 1);
            if (sp < 0 || sp == line.Length - 1)
                throw new InvalidDataException($"{where}: merge {lineNo} \"{line}\" is not two tokens separated by a space.");
            if (extra is null) AddMerge(vocab, merges, line.AsSpan(0, sp), line.AsSpan(sp + 1), rank++, where, lineNo);
            else
            {
                string l = line[..sp], r = line[(sp + 1)..];
                merges.Add(IdOrExtra(vocab, l, extra), IdOrExtra(vocab, r, extra), rank, IdOrExtra(vocab, l + r, extra));
                rank++;
            }
        }
        return merges;
    }

    private static int IdOrExtra(TokenVocab vocab, string s, List<string> extra)
    {
        if (vocab.TryGetId(s, out int id)) return id;
        int k = extra.IndexOf(s);
        if (k < 0) { k = extra.Count; extra.Add(s); }
        return vocab.Count + k;
    }

    internal static void AddMerge(TokenVocab vocab, BpeMerges merges, ReadOnlySpan<char> left, ReadOnlySpan<char> right, int rank, string where, int lineNo)
    {
        if (!vocab.TryGetId(left, out int a) || !vocab.TryGetId(right, out int b))
            throw new InvalidDataException($"{where}: merge {lineNo} \"{left} {right}\" uses a token that is not in the vocabulary.");
        string merged = string.Concat(left, right);
        if (!vocab.TryGetId(merged, out int m))
            throw new InvalidDataException($"{where}: merge {lineNo} \"{left} {right}\" makes \"{merged}\", which is not in the vocabulary.");
        merges.Add(a, b, rank, m);
    }
}
