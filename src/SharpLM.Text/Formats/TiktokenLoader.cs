// TiktokenLoader: tiktoken rank files (".tiktoken": one "base64(token bytes) rank" per line; a line without a rank takes the next rank). The rank is
// the id and the merge priority: a pair merges with the rank of the token it makes, so every split of a token
// into two tokens becomes a merge (this reproduces tiktoken's byte_pair_merge exactly). Special tokens and
// the pre-tokenizer regex are not in the file; they follow the encoding's name. A first line "Capacity: N"
// (as in the Microsoft.ML.Tokenizers data packages) is skipped.
using System.Text;
using SharpLM.Text.Bpe;
using SharpLM.Text.ByteLevel;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Formats;

/// <summary>Loads tiktoken encodings.</summary>
public static class TiktokenLoader
{
    /// <summary>Specials and regex of the published encodings, by name.</summary>
    public static (string Pattern, (string, int)[] Specials) Encoding_(string name) => name switch
    {
        "cl100k_base" => (PreTokenizerPatterns.Cl100k,
            [("<|endoftext|>", 100257), ("<|fim_prefix|>", 100258), ("<|fim_middle|>", 100259), ("<|fim_suffix|>", 100260), ("<|endofprompt|>", 100276)]),
        "o200k_base" => (PreTokenizerPatterns.O200k, [("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)]),
        "r50k_base" or "gpt2" or "p50k_base" => (PreTokenizerPatterns.Gpt2, [("<|endoftext|>", 50256)]),
        _ => throw new ArgumentException($"unknown tiktoken encoding \"{name}\"; expected cl100k_base, o200k_base, r50k_base, p50k_base or gpt2."),
    };

    /// <summary>Loads a .tiktoken file; the encoding name is taken from the file name (e.g. cl100k_base.tiktoken).</summary>
    public static ByteLevelBpeTokenizer Load(string path, string? encodingName = null)
    {
        using var s = File.OpenRead(path);
        string name = encodingName ?? Path.GetFileName(path).Split('.')[0];
        return Load(s, path, name);
    }

    public static ByteLevelBpeTokenizer Load(Stream stream, string where, string encodingName)
    {
        var (pattern, specials) = Encoding_(encodingName);
        var ranks = new List<(string Token, int Rank)>();
        using (var reader = new StreamReader(stream, Encoding.ASCII))
        {
            int lineNo = 0;
            for (string? line; (line = reader.ReadLine()) != null;)
            {
                lineNo++;
                if (line.Length == 0) continue;
                if (lineNo == 1 && line.StartsWith("Capacity:", StringComparison.Ordinal)) continue; // ML.Tokenizers' size hint
                int sp = line.IndexOf(' ');
                int rank = ranks.Count == 0 ? 0 : ranks[^1].Rank + 1; // a line without a rank takes the next one
                if (sp == 0 || (sp > 0 && (!int.TryParse(line.AsSpan(sp + 1), out rank) || rank < 0)))
                    throw new InvalidDataException($"{where}: line {lineNo} \"{line}\" is not \"<base64 token> <rank>\".");
                string b64 = sp > 0 ? line[..sp] : line;
                byte[] bytes;
                try { bytes = Convert.FromBase64String(b64); }
                catch (FormatException) { throw new InvalidDataException($"{where}: line {lineNo}: \"{b64}\" is not base64."); }
                ranks.Add((ByteToUnicode.Encode(bytes), rank));
            }
        }
        int size = Math.Max(ranks.Max(r => r.Rank), specials.Max(s => s.Item2)) + 1;
        var tokens = new string[size];
        var types = new TokenType[size];
        foreach (var (t, r) in ranks)
        {
            if (tokens[r] != null) throw new InvalidDataException($"{where}: rank {r} appears twice.");
            tokens[r] = t; types[r] = TokenType.Normal;
        }
        foreach (var (t, id) in specials) { tokens[id] = t; types[id] = TokenType.Control; }
        for (int i = 0; i < size; i++)
            if (tokens[i] == null) { tokens[i] = $"<|reserved_{i}|>"; types[i] = TokenType.Unused; }
        var vocab = new TokenVocab(tokens, types);
        var merges = new BpeMerges(ranks.Count * 2);
        foreach (var (t, r) in ranks)
            for (int k = 1; k < t.Length; k++)
                if (vocab.TryGetId(t.AsSpan(0, k), out int a) && vocab.TryGetId(t.AsSpan(k), out int b))
                    merges.Add(a, b, r, r);
        var added = specials.Select(s => new AddedToken(s.Item2, s.Item1, true)).ToList();
        int eot = specials[0].Item2;
        return new ByteLevelBpeTokenizer(vocab, merges, new RegexPreTokenizer(pattern), new SpecialTokens { Bos = eot, Eos = eot }, added, source: where);
    }
}
