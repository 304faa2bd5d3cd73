// SentencePieceBpeTokenizer: SentencePiece-style BPE as used by Llama 1/2, Baichuan, Phi-3 and Mistral v1.
// Spaces become "▁" (U+2581) and, by default, a "▁" is prepended (add_dummy_prefix). The text is split into
// Unicode characters, then the adjacent pair whose concatenation is the highest-scoring vocabulary piece is
// merged repeatedly (ties leftmost), as llama.cpp's llm_tokenizer_spm and sentencepiece's bpe_model do.
// Characters left without a piece fall back to their UTF-8 bytes as <0xNN> tokens, or to <unk>.
using System.Buffers;
using System.Text;
using SharpLM.Text.Bpe;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.SentencePiece;

/// <summary>SentencePiece BPE with byte fallback.</summary>
public sealed class SentencePieceBpeTokenizer : Tokenizer
{
    public const char SpaceSymbol = '\u2581';
    private const int UnknownBase = -3;
    private readonly int[] _byteTokens = new int[256];
    private readonly BpeMerges _merges;

    public SentencePieceBpeTokenizer(TokenVocab vocab, SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens,
        bool addSpacePrefix = true)
        : base(vocab, specials, addedTokens)
    {
        AddSpacePrefix = addSpacePrefix;
        Array.Fill(_byteTokens, -1);
        for (int i = 0; i < vocab.Count; i++)
            if (vocab.Types[i] == TokenType.Byte && TryParseByteToken(vocab.Tokens[i], out byte b)) _byteTokens[b] = i;
        HasByteFallback = _byteTokens.All(id => id >= 0);
        _merges = BuildMerges(vocab);
    }

    public override string Kind => "SentencePiece BPE";
    public bool AddSpacePrefix { get; }
    public bool HasByteFallback { get; }

    /// <summary>The merge table derived from the scores (rank = place in descending score order).</summary>
    public BpeMerges Merges => _merges;

    /// <summary>Parses "&lt;0xNN&gt;".</summary>
    public static bool TryParseByteToken(string t, out byte b)
    {
        b = 0;
        return t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t[5] == '>'
            && byte.TryParse(t.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out b);
    }

    // Every split of a piece into two pieces is a merge; its rank is the piece's place in descending score order
    // (equal scores share a rank so the leftmost pair wins, as in llama.cpp's bigram queue).
    private static BpeMerges BuildMerges(TokenVocab vocab)
    {
        var order = Enumerable.Range(0, vocab.Count).OrderByDescending(i => vocab.Scores[i]).ThenBy(i => i).ToArray();
        var rank = new int[vocab.Count];
        int r = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (k > 0 && vocab.Scores[order[k]] != vocab.Scores[order[k - 1]]) r++;
            rank[order[k]] = r;
        }
        var merges = new BpeMerges(vocab.Count * 2);
        for (int id = 0; id < vocab.Count; id++)
        {
            if (vocab.Types[id] == TokenType.Byte) continue;
            var t = vocab.Tokens[id].AsSpan();
            for (int k = 1; k < t.Length; k++)
            {
                if (char.IsLowSurrogate(t[k])) continue;
                if (vocab.TryGetId(t[..k], out int left) && vocab.TryGetId(t[k..], out int right))
                    merges.Add(left, right, rank[id], id);
            }
        }
        return merges;
    }

    protected override void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids)
    {
        bool prefix = AddSpacePrefix && atStart;
        int len = text.Length + (prefix ? 1 : 0);
        char[] buf = ArrayPool<char>.Shared.Rent(len);
        int[] sym = ArrayPool<int>.Shared.Rent(len);
        try
        {
            var s = buf.AsSpan(0, len);
            if (prefix) s[0] = SpaceSymbol;
            text.CopyTo(s[(prefix ? 1 : 0)..]);
            for (int i = 0; i < s.Length; i++) if (s[i] == ' ') s[i] = SpaceSymbol;
            int n = 0;
            for (int i = 0; i < s.Length;)
            {
                int w = i + 1 < s.Length && char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
                sym[n++] = Vocab.TryGetId(s.Slice(i, w), out int id) ? id : UnknownBase - i;
                i += w;
            }
            n = _merges.Apply(sym.AsSpan(0, n));
            for (int k = 0; k < n; k++)
            {
                int id = sym[k];
                if (id >= 0) { ids.Add(id); continue; }
                int at = UnknownBase - id;
                int w = at + 1 < s.Length && char.IsHighSurrogate(s[at]) ? 2 : 1;
                AddFallback(s.Slice(at, w), ids);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buf);
            ArrayPool<int>.Shared.Return(sym);
        }
    }

    private void AddFallback(ReadOnlySpan<char> ch, List<int> ids)
    {
        if (!HasByteFallback)
        {
            ids.Add(Specials.Unk ?? throw new InvalidOperationException($"character '{ch}' is not in the vocabulary and it has neither byte tokens nor an unknown token."));
            return;
        }
        Span<byte> b = stackalloc byte[8];
        int nb = Encoding.UTF8.GetBytes(ch, b);
        for (int i = 0; i < nb; i++) ids.Add(_byteTokens[b[i]]);
    }

    protected override string OffsetSource(ReadOnlySpan<char> segment, bool atStart, out int shift)
    {
        bool prefix = AddSpacePrefix && atStart;
        shift = prefix ? 1 : 0;
        return prefix ? " " + segment.ToString() : segment.ToString();
    }

    protected override void AppendTokenBytes(int id, bool first, List<byte> bytes)
    {
        if (Vocab.Types[id] == TokenType.Byte && TryParseByteToken(Vocab.Tokens[id], out byte b)) { bytes.Add(b); return; }
        string t = Vocab.Tokens[id];
        if (first && AddSpacePrefix && t.Length > 0 && t[0] == SpaceSymbol) t = t[1..];
        bytes.AddRange(Encoding.UTF8.GetBytes(t.Replace(SpaceSymbol, ' ')));
    }
}
