// GgufVocabulary: the tokenizer.ggml.* key/values a GGUF model needs for llama.cpp to load it. A real vocabulary
// is built from the tokenizer by SharpLM.Text (ModelVocabulary.KeyValues); Placeholder builds a SentencePiece-style
// one for models without a tokenizer (<unk>, <s>, </s>, the 256 byte tokens <0x00>…<0xFF>, then "▁t{i}"), so
// weights-only conversions load.
using SharpLM.Formats.Gguf;

namespace SharpLM.Models.Checkpoints;

/// <summary>Vocabulary metadata for a GGUF file, as tokenizer.ggml.* key/value pairs.</summary>
public static class GgufVocabulary
{
    // llama.cpp token types
    private const int Normal = 1, Unknown = 2, Control = 3, Byte = 6;

    /// <summary>
    /// A placeholder "llama" (SentencePiece) vocabulary of <paramref name="size"/> tokens; the 256 byte tokens
    /// are included when there is room (llama.cpp needs them to byte-fall-back when tokenizing text).
    /// </summary>
    public static List<KeyValuePair<string, GgufValue>> Placeholder(int size)
    {
        if (size < 3) throw new ArgumentOutOfRangeException(nameof(size), size, "GgufVocabulary: a vocabulary needs at least the 3 special tokens.");
        var tokens = new string[size]; var scores = new float[size]; var types = new int[size];
        (tokens[0], types[0]) = ("<unk>", Unknown);
        (tokens[1], types[1]) = ("<s>", Control);
        (tokens[2], types[2]) = ("</s>", Control);
        int first = 3;
        if (size >= 259) { for (int b = 0; b < 256; b++) (tokens[3 + b], types[3 + b]) = ($"<0x{b:X2}>", Byte); first = 259; }
        for (int i = first; i < size; i++) { tokens[i] = $"▁t{i}"; types[i] = Normal; scores[i] = -i; }
        return
        [
            new(GgufKeys.TokenizerModel, GgufValue.String("llama")),
            new(GgufKeys.TokenizerTokens, GgufValue.Array(tokens)),
            new(GgufKeys.TokenizerScores, GgufValue.Array(scores)),
            new(GgufKeys.TokenizerTokenType, GgufValue.Array(types)),
            new(GgufKeys.TokenizerBosId, GgufValue.UInt32(1)),
            new(GgufKeys.TokenizerEosId, GgufValue.UInt32(2)),
            new(GgufKeys.TokenizerUnknownId, GgufValue.UInt32(0)),
        ];
    }

    /// <summary>Adds tokenizer.ggml.* pairs to a writer, in order.</summary>
    public static void AddTo(GgufWriter w, IEnumerable<KeyValuePair<string, GgufValue>> vocab)
    {
        foreach (var (k, v) in vocab) w.Add(k, v);
    }
}
