// GgufVocabulary: the tokenizer.ggml.* keys a GGUF model needs for llama.cpp to load it. A real vocabulary
// comes from the tokenizer; Placeholder builds a SentencePiece-style one for models without a tokenizer
// (<unk>, <s>, </s>, the 256 byte tokens <0x00>…<0xFF>, then "▁t{i}"), so weights-only conversions load.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Models.Checkpoints;

/// <summary>Vocabulary metadata for a GGUF file.</summary>
public sealed record GgufVocabulary(string Model, string[] Tokens, float[] Scores, int[] TokenTypes, int BosId, int EosId, int UnknownId, string[]? Merges = null, string? Pre = null)
{
    // llama.cpp token types
    private const int Normal = 1, Unknown = 2, Control = 3, Byte = 6;

    /// <summary>
    /// A placeholder "llama" (SentencePiece) vocabulary of <paramref name="size"/> tokens; the 256 byte tokens
    /// are included when there is room (llama.cpp needs them to byte-fall-back when tokenizing text).
    /// </summary>
    public static GgufVocabulary Placeholder(int size)
    {
        if (size < 3) throw new ArgumentOutOfRangeException(nameof(size), size, "GgufVocabulary: a vocabulary needs at least the 3 special tokens.");
        var tokens = new string[size]; var scores = new float[size]; var types = new int[size];
        (tokens[0], types[0]) = ("<unk>", Unknown);
        (tokens[1], types[1]) = ("<s>", Control);
        (tokens[2], types[2]) = ("</s>", Control);
        int first = 3;
        if (size >= 259) { for (int b = 0; b < 256; b++) (tokens[3 + b], types[3 + b]) = ($"<0x{b:X2}>", Byte); first = 259; }
        for (int i = first; i < size; i++) { tokens[i] = $"▁t{i}"; types[i] = Normal; scores[i] = -i; }
        return new GgufVocabulary("llama", tokens, scores, types, BosId: 1, EosId: 2, UnknownId: 0);
    }

    /// <summary>Adds the tokenizer.ggml.* keys to a writer.</summary>
    public void AddTo(GgufWriter w)
    {
        w.Add(GgufKeys.TokenizerModel, GgufValue.String(Model))
         .Add(GgufKeys.TokenizerTokens, GgufValue.Array(Tokens))
         .Add(GgufKeys.TokenizerScores, GgufValue.Array(Scores))
         .Add(GgufKeys.TokenizerTokenType, GgufValue.Array(TokenTypes))
         .Add(GgufKeys.TokenizerBosId, GgufValue.UInt32((uint)BosId))
         .Add(GgufKeys.TokenizerEosId, GgufValue.UInt32((uint)EosId))
         .Add(GgufKeys.TokenizerUnknownId, GgufValue.UInt32((uint)UnknownId));
        if (Merges is not null) w.Add(GgufKeys.TokenizerMerges, GgufValue.Array(Merges));
        if (Pre is not null) w.Add(GgufKeys.TokenizerPre, GgufValue.String(Pre));
    }
}
