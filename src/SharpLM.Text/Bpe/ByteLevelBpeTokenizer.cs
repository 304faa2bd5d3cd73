// ByteLevelBpeTokenizer: GPT-2 / tiktoken style BPE. Text -> regex pre-tokens -> UTF-8 bytes -> one symbol
// per byte (ids of the 256 byte tokens, GPT-2's byte-to-unicode form) -> merges by rank (BpeMerges).
// Results of frequent pre-tokens are cached (thread-safe, bounded). Decoding concatenates token bytes.
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using SharpLM.Text.ByteLevel;
using SharpLM.Text.PreTokenization;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.Bpe;

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
        SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens, bool ignoreMerges = false, string source = "vocabulary")
        : base(vocab, specials, addedTokens)
    {
        Merges = merges;
        PreTokenizer = preTokenizer;
        IgnoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++)
            _byteIds[b] = vocab.TryGetId(ByteToUnicode.Encode((byte)b).ToString(), out int id) ? id
                : b is 0xC0 or 0xC1 or >= 0xF5 ? -1 // never in valid UTF-8; GPT-NeoX's vocabulary leaves them out
                : throw new InvalidDataException($"{source}: byte-level BPE vocabulary has no token for byte 0x{b:X2} ('{ByteToUnicode.Encode((byte)b)}').");
        _tokenBytes = new byte[vocab.Count][];
        for (int i = 0; i < vocab.Count; i++)
        {
            string t = vocab.Tokens[i];
            bool raw = vocab.Types[i] is TokenType.Control or TokenType.UserDefined || !t.All(ByteToUnicode.IsMapped);
            _tokenBytes[i] = raw ? Encoding.UTF8.GetBytes(t) : ByteToUnicode.Decode(t);
        }
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override string Kind => "byte-level BPE";
    public BpeMerges Merges { get; }
    public RegexPreTokenizer PreTokenizer { get; }
    public bool IgnoreMerges { get; }

    /// <summary>The bytes token <paramref name="id"/> stands for.</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokenBytes[id];

    protected override void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids)
    {
        var pieces = new List<(int Start, int Length)>(text.Length / 4 + 1);
        PreTokenizer.Split(text, pieces);
        foreach (var (s, l) in pieces) EncodePiece(text.Slice(s, l), ids);
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
        var result = sym[..n];
        foreach (int id in result) ids.Add(id);
        if (cacheable && _cache.Count < CacheLimit) _cache.TryAdd(piece.ToString(), result.ToArray());
        if (rentedB != null) ArrayPool<byte>.Shared.Return(rentedB);
        if (rentedI != null) ArrayPool<int>.Shared.Return(rentedI);
    }

    private bool TryWholePiece(ReadOnlySpan<byte> bytes, out int id)
    {
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToUnicode.Encode(bytes[i]);
        return Vocab.TryGetId(chars, out id);
    }

    protected override void AppendTokenBytes(int id, bool first, List<byte> bytes) => bytes.AddRange(_tokenBytes[id]);
}
