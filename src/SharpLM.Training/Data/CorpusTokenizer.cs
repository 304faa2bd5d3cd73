// CorpusTokenizer: the tokenizer a pretraining run builds from its own corpus — characters (nanoGPT's
// shakespeare_char) or a byte-level BPE trained with SharpLM's BPE trainer (GPT-2 pre-tokenizer,
// <|endoftext|> special) — with its serialised form (tokenizer.json) so the checkpoint carries it and a
// resume can check it is the same.
using System.Text.Json;
using SharpLM.Text.Char;
using SharpLM.Text.Formats;
using SharpLM.Text.Training;

namespace SharpLM.Training.Data;

/// <summary>Which tokenizer a pretraining run builds from its corpus.</summary>
public enum TokenizerKind { Char, Bpe }

/// <summary>Encode/decode functions plus the tokenizer.json that reproduces them.</summary>
public sealed record CorpusTokenizer(string Kind, int VocabSize, string Json, Func<string, int[]> Encode, Func<int[], string> Decode)
{
    /// <summary>Builds the tokenizer of <paramref name="kind"/> from <paramref name="corpus"/>.</summary>
    public static CorpusTokenizer Train(TokenizerKind kind, string corpus, int bpeVocabSize, IProgress<string>? progress = null) => kind switch
    {
        TokenizerKind.Char => FromChar(CharTokenizer.FromCorpus(corpus)),
        TokenizerKind.Bpe => FromJson(BpeFiles.TokenizerJson(BpeTrainer.Train([corpus], new BpeTrainerOptions { VocabSize = bpeVocabSize }, progress)), "trained BPE"),
        _ => throw new ArgumentException($"CorpusTokenizer: tokenizer {kind} is not one of char, bpe."),
    };

    private static CorpusTokenizer FromChar(CharTokenizer t) => new("char", t.VocabSize, t.ToJson(), t.Encode, ids => t.Decode(ids));

    /// <summary>Wraps a loaded tokenizer; its tokenizer.json (Hugging Face format) goes into checkpoints.</summary>
    public static CorpusTokenizer FromTokenizer(SharpLM.Text.Tokenizer tok, string source)
    {
        using var ms = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(ms)) HfTokenizerJsonWriter.Write(tok, w);
        return new CorpusTokenizer(tok.Kind, tok.VocabSize, System.Text.Encoding.UTF8.GetString(ms.ToArray()), s => tok.Encode(s), ids => tok.Decode(ids));
    }

    /// <summary>Rebuilds a tokenizer from its tokenizer.json (SharpLM char vocabulary or Hugging Face format).</summary>
    public static CorpusTokenizer FromJson(string json, string source)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.TryGetProperty("type", out var t) && t.GetString() == "char") return FromChar(CharTokenizer.FromJson(json, source));
        var tok = HfTokenizerJsonReader.Load(doc.RootElement.Clone(), null, source);
        return new CorpusTokenizer("bpe", tok.VocabSize, json, s => tok.Encode(s), ids => tok.Decode(ids));
    }
}
