// TokenVocab: the id ↔ token-string table shared by every tokenizer, with per-token type and score
// (scores are SentencePiece log-probabilities; BPE vocabularies leave them zero).
namespace SharpLM.Text.Vocab;

/// <summary>An id-indexed vocabulary: token strings, types and scores, and the reverse lookup.</summary>
public sealed class TokenVocab
{
    private readonly Dictionary<string, int> _ids;

    public TokenVocab(string[] tokens, TokenType[]? types = null, float[]? scores = null)
    {
        if (types != null && types.Length != tokens.Length)
            throw new ArgumentException($"token types has {types.Length} entries, tokens has {tokens.Length}.");
        if (scores != null && scores.Length != tokens.Length)
            throw new ArgumentException($"scores has {scores.Length} entries, tokens has {tokens.Length}.");
        Tokens = tokens;
        Types = types ?? Enumerable.Repeat(TokenType.Normal, tokens.Length).ToArray();
        Scores = scores ?? new float[tokens.Length];
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        // On duplicates the first id wins (as in llama.cpp's token_to_id built in id order... and HF's vocab maps).
        for (int i = 0; i < tokens.Length; i++) _ids.TryAdd(tokens[i], i);
        Lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string[] Tokens { get; }
    public TokenType[] Types { get; }
    public float[] Scores { get; }
    public int Count => Tokens.Length;

    /// <summary>Span-keyed lookup (no string allocation).</summary>
    public Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

    public int? this[string token] => _ids.TryGetValue(token, out var id) ? id : null;
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => Lookup.TryGetValue(token, out id);
    public string? TokenAt(int id) => (uint)id < (uint)Tokens.Length ? Tokens[id] : null;
    public TokenType TypeAt(int id) => (uint)id < (uint)Types.Length ? Types[id] : TokenType.Undefined;
}
