// ByteLevelBpeTokenizer: GPT-2 / tiktoken style BPE. Text -> regex pre-tokens -> UTF-8 bytes -> one symbol
// per byte (ids of the 256 byte tokens, GPT-2's byte-to-unicode form) -> merges by rank (BpeMerges).
// Results of frequent pre-tokens are cached (thread-safe, bounded). Decoding concatenates token bytes.
// A vocabulary may lack tokens for some bytes (and a GGUF's merges may name strings that are not tokens): such
// symbols get ids past the vocabulary, take part in merges, and whatever is left of them after merging follows
// UnencodableBytes: llama.cpp (GGUF) keeps each single-byte token of its text and drops the rest; HF tokenizers
// (tokenizer.json) emits the unknown token per missing byte when the model has one, else drops it.
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using SharpLM.Text.ByteLevel;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Bpe;

/// <summary>What becomes of symbols without a token after merging.</summary>
public enum UnencodableBytes
{
    /// <summary>llama.cpp: each byte of the symbol's text that is itself a token is kept, the others dropped.</summary>
    LlamaCpp,
    /// <summary>HF tokenizers: the unknown token (when the model has unk_token), else nothing.</summary>
    Hf,
}

/// <summary>Byte-level BPE tokenizer.</summary>
public sealed class ByteLevelBpeTokenizer : Tokenizer
{
    private const int CacheLimit = 500_000;
    private const int CachedPieceMaxChars = 48;
    private readonly int[] _byteIds = new int[256];
    private readonly byte[][] _tokenBytes;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;

    /// <param name="vocab">tokens in byte-to-unicode form (added tokens may be raw text).</param>
    /// <param name="merges">the merge table over vocabulary ids.</param>
    /// <param name="preTokenizer">regex pre-tokenizer; one with no pattern treats each segment as one piece.</param>
    /// <param name="ignoreMerges">emit a pre-token that is itself in the vocabulary directly (Llama 3's tokenizer.json).</param>
    public ByteLevelBpeTokenizer(TokenVocab vocab, BpeMerges merges, RegexPreTokenizer preTokenizer,
        SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens, bool ignoreMerges = false, string source = "vocabulary",
        UnencodableBytes unencodable = UnencodableBytes.Hf, IReadOnlyList<string>? extraSymbols = null,
        int? modelUnknown = null, bool fuseUnknown = false)
        : base(vocab, specials, addedTokens)
    {
        Merges = merges;
        PreTokenizer = preTokenizer;
        IgnoreMerges = ignoreMerges;
        Unencodable = unencodable;
        _modelUnk = modelUnknown;
        _fuseUnk = fuseUnknown;
        _extra = [.. extraSymbols ?? []];
        for (int b = 0; b < 256; b++)
        {
            string ch = ByteToUnicode.Encode((byte)b).ToString();
            if (vocab.TryGetId(ch, out int id)) { _byteIds[b] = id; continue; }
            int k = _extra.IndexOf(ch);
            if (k < 0) { k = _extra.Count; _extra.Add(ch); }
            _byteIds[b] = vocab.Count + k;
        }
        MissingBytes = Enumerable.Range(0, 256).Where(b => _byteIds[b] >= vocab.Count).Select(b => (byte)b).ToArray();
        _tokenBytes = new byte[vocab.Count][];
        for (int i = 0; i < vocab.Count; i++)
        {
            string t = vocab.Tokens[i];
            bool raw = vocab.Types[i] is TokenType.Control or TokenType.UserDefined || !t.All(ByteToUnicode.IsMapped);
            _tokenBytes[i] = raw ? Encoding.UTF8.GetBytes(t) : ByteToUnicode.Decode(t);
        }
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private readonly List<string> _extra;
    private readonly int? _modelUnk;
    private readonly bool _fuseUnk;

    public override string Kind => "byte-level BPE";
    public UnencodableBytes Unencodable { get; }

    /// <summary>The text of a merge symbol: a token, or a string past the vocabulary (GGUF merges llama.cpp ranks by string).</summary>
    public string SymbolText(int id) => id < Vocab.Count ? Vocab.Tokens[id] : _extra[id - Vocab.Count];

    /// <summary>Bytes the vocabulary has no token for.</summary>
    public IReadOnlyList<byte> MissingBytes { get; }
    public BpeMerges Merges { get; }
    public RegexPreTokenizer PreTokenizer { get; }
    public bool IgnoreMerges { get; }

    /// <summary>The bytes token <paramref name="id"/> stands for.</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokenBytes[id];

    /// <summary>HF normalizer applied to each plain segment before pre-tokenization (tokenizer.json), or null.</summary>
    public Func<string, string>? Normalizer { get; init; }

    protected override string OffsetSource(ReadOnlySpan<char> segment, bool atStart, out int shift) =>
        Normalizer is null && !PreTokenizer.PrefixSpace ? base.OffsetSource(segment, atStart, out shift)
        : throw new NotSupportedException("offsets are not available when a normalizer or ByteLevel add_prefix_space rewrites the text.");

    protected override void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids)
    {
        if (Normalizer is not null) { EncodeNormalized(Normalizer(text.ToString()), ids); return; }
        EncodeNormalized(text, ids);
    }

    private void EncodeNormalized(ReadOnlySpan<char> text, List<int> ids)
    {
        var pieces = new List<PreToken>(text.Length / 4 + 1);
        PreTokenizer.Split(text, pieces);
        foreach (var p in pieces)
        {
            if (!p.SpacePrefix) EncodePiece(text.Slice(p.Start, p.Length), ids);
            else EncodePiece(string.Concat(" ", text.Slice(p.Start, p.Length)), ids);
        }
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        bool cacheable = piece.Length <= CachedPieceMaxChars;
        if (cacheable && _cacheLookup.TryGetValue(piece, out var cached)) { ids.AddRange(cached); return; }

        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        byte[]? rentedB = null; int[]? rentedI = null;
        Span<byte> bytes = maxBytes <= 512 ? stackalloc byte[maxBytes] : (rentedB = ArrayPool<byte>.Shared.Rent(maxBytes));
        int nb = Encoding.UTF8.GetBytes(piece, bytes);
        Span<int> sym = nb <= 256 ? stackalloc int[nb] : (rentedI = ArrayPool<int>.Shared.Rent(nb)).AsSpan(0, nb);
        int n;
        if (IgnoreMerges && TryWholePiece(bytes[..nb], out int whole)) { sym[0] = whole; n = 1; }
        else
        {
            for (int i = 0; i < nb; i++) sym[i] = _byteIds[bytes[i]];
            n = Merges.Apply(sym);
        }
        if (_extra.Count > 0) n = ResolveExtra(sym, n);
        var result = sym[..n];
        foreach (int id in result) ids.Add(id);
        if (cacheable && _cache.Count < CacheLimit) _cache.TryAdd(piece.ToString(), result.ToArray());
        if (rentedB != null) ArrayPool<byte>.Shared.Return(rentedB);
        if (rentedI != null) ArrayPool<int>.Shared.Return(rentedI);
    }

    // Symbols past the vocabulary (see UnencodableBytes), resolved in place; returns the new count.
    // At most one id per byte comes out, so the result fits the span that held the bytes' symbols.
    private int ResolveExtra(Span<int> sym, int n)
    {
        int count = Vocab.Count, k = 0;
        bool any = false;
        foreach (int id in sym[..n]) any |= id >= count;
        if (!any) return n;
        var outList = new List<int>(n);
        bool lastUnk = false;
        foreach (int id in sym[..n].ToArray())
        {
            if (id < count) { outList.Add(id); lastUnk = false; continue; }
            string text = _extra[id - count];
            if (Unencodable == UnencodableBytes.Hf)
            {
                // HF BPE's merge_word: model.unk_token per unknown character (fused runs with fuse_unk), else nothing.
                if (_modelUnk is int unk && !(_fuseUnk && lastUnk)) outList.Add(unk);
                lastUnk = _modelUnk is not null;
                continue;
            }
            // llama.cpp: text_to_token of each single byte of the symbol's (byte-level) UTF-8 text.
            foreach (byte b in Encoding.UTF8.GetBytes(text))
                if (b < 0x80 && Vocab.TryGetId(((char)b).ToString(), out int single)) outList.Add(single);
        }
        foreach (int id in outList) sym[k++] = id;
        return k;
    }

    private bool TryWholePiece(ReadOnlySpan<byte> bytes, out int id)
    {
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToUnicode.Encode(bytes[i]);
        return Vocab.TryGetId(chars, out id);
    }

    protected override void AppendTokenBytes(int id, bool first, List<byte> bytes) => bytes.AddRange(_tokenBytes[id]);
}
