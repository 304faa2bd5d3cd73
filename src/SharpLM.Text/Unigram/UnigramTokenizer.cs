// UnigramTokenizer: the SentencePiece unigram language model (Kudo 2018) as HF tokenizers runs it: text is
// (optionally NFKC-normalized,) spaces become "▁" with one prepended, the text is split before each "▁", and each
// piece is segmented by Viterbi over the vocabulary log-probabilities. A character no piece covers is an unknown
// node scored min_score - 10; adjacent unknowns fuse into one [unk] (or become <0xNN> bytes with byte fallback).
using System.Buffers;
using System.Text;
using SharpLM.Text.SentencePiece;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Unigram;

/// <summary>Unigram (Viterbi) tokenizer.</summary>
public sealed class UnigramTokenizer : Tokenizer
{
    private const float UnknownPenalty = 10f;
    private readonly int _maxPieceChars;
    private readonly float _unkScore;
    private readonly int[] _byteTokens = new int[256];

    public UnigramTokenizer(TokenVocab vocab, SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens,
        bool addSpacePrefix = true, bool splitOnSpace = true, bool byteFallback = false, bool nfkc = false)
        : base(vocab, specials, addedTokens)
    {
        if (specials.Unk is null) throw new ArgumentException("A unigram model needs an unknown token (unk_id).");
        AddSpacePrefix = addSpacePrefix; SplitOnSpace = splitOnSpace; Nfkc = nfkc;
        _maxPieceChars = vocab.Tokens.Where((_, i) => vocab.Types[i] is TokenType.Normal or TokenType.UserDefined).Select(t => t.Length).DefaultIfEmpty(1).Max();
        _unkScore = vocab.Scores.Where((_, i) => vocab.Types[i] == TokenType.Normal).DefaultIfEmpty(0f).Min() - UnknownPenalty;
        Array.Fill(_byteTokens, -1);
        for (int i = 0; i < vocab.Count; i++)
            if (SentencePieceBpeTokenizer.TryParseByteToken(vocab.Tokens[i], out byte b) && vocab.Types[i] == TokenType.Byte) _byteTokens[b] = i;
        ByteFallback = byteFallback && _byteTokens.All(t => t >= 0);
    }

    public override string Kind => "Unigram";
    public bool AddSpacePrefix { get; }
    public bool SplitOnSpace { get; }
    public bool ByteFallback { get; }
    public bool Nfkc { get; }

    protected override void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids)
    {
        string s = Nfkc ? text.ToString().Normalize(NormalizationForm.FormKC) : text.ToString();
        s = s.Replace(' ', SentencePieceBpeTokenizer.SpaceSymbol);
        if (AddSpacePrefix && atStart && (s.Length == 0 || s[0] != SentencePieceBpeTokenizer.SpaceSymbol)) s = SentencePieceBpeTokenizer.SpaceSymbol + s;
        if (!SplitOnSpace) { Viterbi(s, ids); return; }
        int start = 0;
        for (int i = 1; i <= s.Length; i++)
            if (i == s.Length || s[i] == SentencePieceBpeTokenizer.SpaceSymbol)
            {
                Viterbi(s.AsSpan(start, i - start), ids);
                start = i;
            }
    }

    private void Viterbi(ReadOnlySpan<char> s, List<int> ids)
    {
        int n = s.Length;
        if (n == 0) return;
        var best = ArrayPool<float>.Shared.Rent(n + 1);
        var from = ArrayPool<int>.Shared.Rent(n + 1);
        var token = ArrayPool<int>.Shared.Rent(n + 1);
        try
        {
            best[0] = 0;
            for (int i = 1; i <= n; i++) best[i] = float.NegativeInfinity;
            for (int i = 0; i < n; i++)
            {
                if (float.IsNegativeInfinity(best[i])) continue;
                if (char.IsLowSurrogate(s[i])) continue;
                bool single = false;
                int charLen = char.IsHighSurrogate(s[i]) && i + 1 < n ? 2 : 1;
                for (int len = 1; len <= _maxPieceChars && i + len <= n; len++)
                {
                    if (i + len < n && char.IsLowSurrogate(s[i + len])) continue;
                    if (!Vocab.TryGetId(s.Slice(i, len), out int id) || Vocab.Types[id] is not (TokenType.Normal or TokenType.UserDefined)) continue;
                    if (len == charLen) single = true;
                    float sc = best[i] + Vocab.Scores[id];
                    if (sc > best[i + len]) { best[i + len] = sc; from[i + len] = i; token[i + len] = id; }
                }
                if (!single)
                {
                    float sc = best[i] + _unkScore;
                    if (sc > best[i + charLen]) { best[i + charLen] = sc; from[i + charLen] = i; token[i + charLen] = -1; }
                }
            }
            Span<byte> b = stackalloc byte[8];
            var path = new List<(int Start, int End, int Id)>();
            for (int e = n; e > 0; e = from[e]) path.Add((from[e], e, token[e]));
            path.Reverse();
            for (int k = 0; k < path.Count; k++)
            {
                var (st, en, id) = path[k];
                if (id >= 0) { ids.Add(id); continue; }
                if (ByteFallback)
                {
                    int nb = Encoding.UTF8.GetBytes(s[st..en], b);
                    for (int j = 0; j < nb; j++) ids.Add(_byteTokens[b[j]]);
                }
                else if (k == 0 || path[k - 1].Id >= 0) ids.Add(Specials.Unk!.Value); // fuse adjacent unknowns
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(from);
            ArrayPool<int>.Shared.Return(token);
        }
    }

    protected override string OffsetSource(ReadOnlySpan<char> segment, bool atStart, out int shift)
    {
        if (Nfkc) throw new NotSupportedException("offsets are not available for a unigram model that NFKC-normalizes its input.");
        bool prefix = AddSpacePrefix && atStart && (segment.Length == 0 || segment[0] != ' ');
        shift = prefix ? 1 : 0;
        return prefix ? " " + segment.ToString() : segment.ToString();
    }

    protected override void AppendTokenBytes(int id, bool first, List<byte> bytes)
    {
        if (Vocab.Types[id] == TokenType.Byte && SentencePieceBpeTokenizer.TryParseByteToken(Vocab.Tokens[id], out byte b)) { bytes.Add(b); return; }
        string t = Vocab.Tokens[id];
        if (first && AddSpacePrefix && t.Length > 0 && t[0] == SentencePieceBpeTokenizer.SpaceSymbol) t = t[1..];
        bytes.AddRange(Encoding.UTF8.GetBytes(t.Replace(SentencePieceBpeTokenizer.SpaceSymbol, ' ')));
    }
}
