// SftTokenizer: what SFT needs from a model's tokenizer — token ids with the character span each stands for (to
// map the chat template's assistant spans onto tokens) and the texts of the special tokens (the end-of-turn
// markers a template writes after an answer). Special tokens written by the template are parsed as specials and
// nothing is added around the text (the template writes BOS itself), as Hugging Face's apply_chat_template does.
using System.Text;
using SharpLM.Text;
using SharpLM.Text.Formats;

namespace SharpLM.Training.Sft;

/// <summary>Encode-with-offsets and the special-token texts of a tokenizer.</summary>
public sealed class SftTokenizer
{
    private readonly Func<string, (int[] Ids, (int Start, int End)[] Offsets)> _encode;

    private SftTokenizer(Func<string, (int[], (int, int)[])> encode, IReadOnlyList<string> specials, int vocabSize)
    {
        _encode = encode; SpecialTexts = specials; VocabSize = vocabSize;
    }

    /// <summary>Texts of the special (added) tokens, longest first.</summary>
    public IReadOnlyList<string> SpecialTexts { get; }

    public int VocabSize { get; }

    /// <summary>Ids of <paramref name="text"/> and the [start, end) character range of each.</summary>
    public (int[] Ids, (int Start, int End)[] Offsets) Encode(string text) => _encode(text);

    /// <summary>A Hugging Face / GGUF tokenizer.</summary>
    public static SftTokenizer From(Tokenizer tok) => new(
        t => tok.EncodeWithOffsets(t, addSpecial: false, parseSpecial: true),
        tok.AddedTokens.Where(a => a.Special && a.Content.Length > 0).Select(a => a.Content).Distinct().OrderByDescending(s => s.Length).ToList(),
        tok.VocabSize);

    /// <summary>The tokenizer of a model (a character vocabulary maps one character to one token).</summary>
    public static SftTokenizer From(ModelTokenizer mt)
    {
        if (mt.Tokenizer is { } tok) return From(tok);
        return new SftTokenizer(text =>
        {
            var ids = mt.Encode(text);
            var offsets = new List<(int, int)>(ids.Length);
            int pos = 0;
            foreach (var r in text.EnumerateRunes()) { offsets.Add((pos, pos + r.Utf16SequenceLength)); pos += r.Utf16SequenceLength; }
            if (offsets.Count != ids.Length)
                throw new InvalidOperationException($"SftTokenizer: the character vocabulary of {mt.Source} gave {ids.Length} ids for {offsets.Count} characters.");
            return (ids, offsets.ToArray());
        }, [], mt.VocabSize);
    }
}
