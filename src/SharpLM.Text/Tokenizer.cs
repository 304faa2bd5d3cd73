// Tokenizer: the common surface of every SharpLM tokenizer (byte-level BPE, SentencePiece BPE, WordPiece).
// Encode = split out added tokens -> model-specific encoding of each plain segment (+ BOS/EOS on request);
// Decode = model-specific bytes of each id -> UTF-8 text (invalid sequences become U+FFFD, as HF and tiktoken).
using System.Text;
using SharpLM.Text.Vocab;

namespace SharpLM.Text;

/// <summary>Base class of all tokenizers.</summary>
public abstract class Tokenizer
{
    private AddedTokenSplitter _splitter;

    protected Tokenizer(TokenVocab vocab, SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens)
    {
        Vocab = vocab;
        Specials = specials;
        AddedTokens = addedTokens;
        _splitter = new AddedTokenSplitter(addedTokens);
        _specialIds = new HashSet<int>(addedTokens.Where(a => a.Special).Select(a => a.Id));
        for (int i = 0; i < vocab.Count; i++)
            if (vocab.Types[i] is TokenType.Control or TokenType.Unknown) _specialIds.Add(i);
    }

    private readonly HashSet<int> _specialIds;

    /// <summary>Added tokens' lstrip/rstrip take only ASCII whitespace (llama.cpp's isspace), as for GGUF vocabularies.</summary>
    public bool AsciiStripWhitespace
    {
        get => _splitter.AsciiWhitespace;
        init => _splitter = new AddedTokenSplitter(AddedTokens, value);
    }

    /// <summary>A short name of the model type, e.g. "byte-level BPE".</summary>
    public abstract string Kind { get; }

    public TokenVocab Vocab { get; }
    public SpecialTokens Specials { get; }
    public IReadOnlyList<AddedToken> AddedTokens { get; }
    public int VocabSize => Vocab.Count;

    public string? IdToToken(int id) => Vocab.TokenAt(id);
    public int? TokenToId(string token) => Vocab[token];

    /// <summary>Token ids of <paramref name="text"/>. <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary
    /// asks; <paramref name="parseSpecial"/> lets special tokens written in the text become their ids.</summary>
    public int[] Encode(string text, bool addSpecial = false, bool parseSpecial = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        EncodeInto(text, ids, addSpecial, parseSpecial);
        return ids.ToArray();
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void EncodeInto(string text, List<int> ids, bool addSpecial = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (addSpecial && Specials.AddBos && Specials.Bos is int bos) ids.Add(bos);
        if (_splitter.IsEmpty) EncodeSegment(text.AsSpan(), true, ids);
        else
        {
            bool afterSpecial = true;
            _splitter.Split(text, parseSpecial,
                (start, len) => { EncodeSegment(text.AsSpan(start, len), afterSpecial, ids); afterSpecial = false; },
                (t, _) => { ids.Add(t.Id); afterSpecial = true; });
        }
        if (addSpecial && Specials.AddEos && Specials.Eos is int eos) ids.Add(eos);
    }

    /// <summary>Token ids with the character span (start, end) of <paramref name="text"/> each stands for. A token
    /// holding part of a multi-byte character spans the whole character; BOS/EOS and SentencePiece's virtual "▁"
    /// prefix have empty or clipped spans. Throws for models whose normalization rewrites the text (WordPiece).</summary>
    public (int[] Ids, (int Start, int End)[] Offsets) EncodeWithOffsets(string text, bool addSpecial = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var offsets = new List<(int, int)>(ids.Capacity);
        if (addSpecial && Specials.AddBos && Specials.Bos is int bos) { ids.Add(bos); offsets.Add((0, 0)); }
        bool afterSpecial = true;
        void Plain(int start, int len)
        {
            int mark = ids.Count;
            EncodeSegment(text.AsSpan(start, len), afterSpecial, ids);
            AlignSegment(text.AsSpan(start, len), start, afterSpecial, ids, mark, offsets);
            afterSpecial = false;
        }
        if (_splitter.IsEmpty) Plain(0, text.Length);
        else _splitter.Split(text, parseSpecial, Plain, (t, at) => { ids.Add(t.Id); offsets.Add((at, at + t.Content.Length)); afterSpecial = true; });
        if (addSpecial && Specials.AddEos && Specials.Eos is int eos) { ids.Add(eos); offsets.Add((text.Length, text.Length)); }
        return (ids.ToArray(), offsets.ToArray());
    }

    /// <summary>The text whose UTF-8 bytes equal the concatenated bytes (AppendTokenBytes with first = false) of the
    /// ids a segment encodes to, and how many leading characters of it are not in the segment.</summary>
    protected virtual string OffsetSource(ReadOnlySpan<char> segment, bool atStart, out int shift)
    {
        shift = 0;
        return segment.ToString();
    }

    private void AlignSegment(ReadOnlySpan<char> segment, int segStart, bool atStart, List<int> ids, int mark, List<(int, int)> offsets)
    {
        string src = OffsetSource(segment, atStart, out int shift);
        // bytePos[c] = UTF-8 offset of UTF-16 index c in src (a low surrogate shares its pair's end).
        var bytePos = new int[src.Length + 1];
        for (int c = 0, b = 0; c <= src.Length; c++)
        {
            bytePos[c] = b;
            if (c == src.Length) break;
            char ch = src[c];
            if (char.IsHighSurrogate(ch) && c + 1 < src.Length && char.IsLowSurrogate(src[c + 1])) { b += 4; bytePos[++c] = b; continue; }
            b += ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
        }
        var scratch = new List<byte>(16);
        int pos = 0, cStart = 0;
        for (int k = mark; k < ids.Count; k++)
        {
            scratch.Clear();
            AppendTokenBytes(ids[k], false, scratch);
            int b0 = pos, b1 = pos + scratch.Count;
            pos = b1;
            while (cStart + 1 <= src.Length && bytePos[cStart + 1] <= b0) cStart++;
            int cEnd = cStart;
            while (cEnd < src.Length && bytePos[cEnd] < b1) cEnd++;
            if (cEnd < src.Length && char.IsLowSurrogate(src[cEnd])) cEnd++;
            int s0 = Math.Clamp(cStart - shift, 0, segment.Length), s1 = Math.Clamp(cEnd - shift, 0, segment.Length);
            offsets.Add((segStart + s0, segStart + Math.Max(s0, s1)));
        }
    }

    /// <summary>Number of tokens <see cref="Encode"/> returns for <paramref name="text"/>.</summary>
    public int CountTokens(string text) => Encode(text).Length;

    /// <summary>Encodes text that holds no added tokens. <paramref name="atStart"/> is true for the first segment
    /// and for a segment right after an added token (SentencePiece adds its "▁" prefix there).</summary>
    protected abstract void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids);

    /// <summary>Text of <paramref name="ids"/>; control tokens are dropped when <paramref name="skipSpecial"/>.</summary>
    public virtual string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var bytes = new List<byte>(ids.Length * 4);
        bool first = true;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (size {VocabSize}).");
            if (skipSpecial && IsSpecial(id)) continue;
            AppendTokenBytes(id, first, bytes);
            first = false;
        }
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>True for control / unknown-type tokens and special added tokens.</summary>
    public bool IsSpecial(int id) => _specialIds.Contains(id);

    /// <summary>Appends the UTF-8 bytes that token <paramref name="id"/> stands for.</summary>
    protected abstract void AppendTokenBytes(int id, bool first, List<byte> bytes);
}
