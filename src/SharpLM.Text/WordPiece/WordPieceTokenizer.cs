// WordPieceTokenizer: BERT's WordPiece. Each word from BertPreTokenizer is cut greedily into the longest
// vocabulary pieces from the left, pieces after the first carrying the "##" prefix; a word longer than
// MaxInputCharsPerWord characters, or one that cannot be cut, becomes [UNK] as a whole.
using System.Text;
using SharpLM.Text.Vocab;

namespace SharpLM.Text.WordPiece;

/// <summary>WordPiece tokenizer with BERT's basic tokenizer in front.</summary>
public sealed class WordPieceTokenizer : Tokenizer
{
    public WordPieceTokenizer(TokenVocab vocab, SpecialTokens specials, IReadOnlyList<AddedToken> addedTokens,
        BertPreTokenizer? preTokenizer = null, string continuingPrefix = "##", int maxInputCharsPerWord = 100)
        : base(vocab, specials, addedTokens)
    {
        PreTokenizer = preTokenizer ?? new BertPreTokenizer();
        ContinuingPrefix = continuingPrefix;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        if (specials.Unk is null) throw new ArgumentException("WordPiece needs an unknown token ([UNK]).");
    }

    public override string Kind => "WordPiece";
    public BertPreTokenizer PreTokenizer { get; }
    public string ContinuingPrefix { get; }
    public int MaxInputCharsPerWord { get; }

    protected override void EncodeSegment(ReadOnlySpan<char> text, bool atStart, List<int> ids)
    {
        foreach (var word in PreTokenizer.Split(text)) EncodeWord(word, ids);
    }

    private void EncodeWord(string word, List<int> ids)
    {
        int unk = Specials.Unk!.Value;
        if (word.EnumerateRunes().Count() > MaxInputCharsPerWord) { ids.Add(unk); return; }
        int mark = ids.Count;
        Span<char> buf = new char[word.Length + ContinuingPrefix.Length];
        ContinuingPrefix.CopyTo(buf);
        for (int start = 0; start < word.Length;)
        {
            int found = -1, end = word.Length;
            for (; end > start; end--)
            {
                if (end < word.Length && char.IsLowSurrogate(word[end])) continue;
                ReadOnlySpan<char> piece;
                if (start == 0) piece = word.AsSpan(0, end);
                else
                {
                    word.AsSpan(start, end - start).CopyTo(buf[ContinuingPrefix.Length..]);
                    piece = buf[..(ContinuingPrefix.Length + end - start)];
                }
                if (Vocab.TryGetId(piece, out found)) break;
                found = -1;
            }
            if (found < 0) { ids.RemoveRange(mark, ids.Count - mark); ids.Add(unk); return; }
            ids.Add(found);
            start = end;
        }
    }

    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecial = false)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (size {VocabSize}).");
            if (skipSpecial && IsSpecial(id)) continue;
            string t = Vocab.Tokens[id];
            if (t.StartsWith(ContinuingPrefix, StringComparison.Ordinal)) sb.Append(t, ContinuingPrefix.Length, t.Length - ContinuingPrefix.Length);
            else { if (sb.Length > 0) sb.Append(' '); sb.Append(t); }
        }
        return sb.ToString();
    }

    protected override string OffsetSource(ReadOnlySpan<char> segment, bool atStart, out int shift) =>
        throw new NotSupportedException("offsets are not available for WordPiece yet (BERT normalization rewrites the text).");

    protected override void AppendTokenBytes(int id, bool first, List<byte> bytes) =>
        throw new NotSupportedException("WordPiece decodes through Decode.");
}
