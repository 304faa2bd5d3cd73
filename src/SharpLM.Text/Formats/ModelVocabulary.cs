// ModelVocabulary: the tokenizer that belongs to a model path — the vocabulary inside a GGUF file, or the
// tokenizer.json beside Hugging Face / llama2.c weights (SharpLM's character vocabulary excepted) — and the
// tokenizer.ggml.* block a model GGUF carries for it, so `convert` and `quantize` write the real vocabulary
// (and llama.cpp, `generate` and `chat` on the result see the same tokens).
using System.Text.Json;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;

namespace SharpLM.Text.Formats;

/// <summary>Finds a model's tokenizer and describes it as GGUF model-file metadata.</summary>
public static class ModelVocabulary
{
    /// <summary>The tokenizer.json beside the weights of a non-GGUF model (a folder, or the folder of a file).</summary>
    public static string TokenizerJsonPath(string modelPath)
    {
        modelPath = ModelPath.Resolve(modelPath);
        return Path.Combine(Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "tokenizer.json");
    }

    /// <summary>Whether a tokenizer.json holds SharpLM's character vocabulary (written by pretraining), not a Hugging Face tokenizer.</summary>
    public static bool IsCharVocabulary(string tokenizerJson)
    {
        using var doc = JsonDocument.Parse(tokenizerJson);
        return doc.RootElement.TryGetProperty("type", out var t) && t.GetString() == "char";
    }

    /// <summary>The tokenizer of the model at <paramref name="modelPath"/>; null when it has none, or only a character vocabulary (which GGUF cannot describe).</summary>
    public static Tokenizer? TryLoadTokenizer(string modelPath)
    {
        modelPath = ModelPath.Resolve(modelPath);
        if (GgufFile.IsGguf(modelPath)) return GgufTokenizerLoader.Load(modelPath);
        string file = TokenizerJsonPath(modelPath);
        if (!ModelPath.FileExists(file) || IsCharVocabulary(File.ReadAllText(file))) return null;
        return TokenizerLoader.Load(Path.GetDirectoryName(file)!);
    }

    /// <summary>The tokenizer.ggml.* block of the model at <paramref name="modelPath"/> (see <see cref="KeyValues"/>), or null
    /// when it has no tokenizer GGUF can describe (the writer then uses a placeholder vocabulary).</summary>
    public static List<KeyValuePair<string, GgufValue>>? For(string modelPath, int vocabSize) =>
        TryLoadTokenizer(modelPath) is { } tok ? KeyValues(tok, vocabSize, modelPath) : null;

    /// <summary>
    /// The tokenizer.ggml.* block a model GGUF carries: model, tokens, scores (zeros unless the tokenizer has them),
    /// token_type, bos (BOS, else EOS, else 0), eos (else 0), unknown (else 0) ids, then merges and pre when present.
    /// The token count must equal the model's <paramref name="vocabSize"/>.
    /// </summary>
    public static List<KeyValuePair<string, GgufValue>> KeyValues(Tokenizer tok, int vocabSize, string source)
    {
        var md = new GgufMetadata(source, GgufVocabWriter.KeyValues(tok));
        var tokens = md.GetStringArray(GgufKeys.TokenizerTokens)!;
        if (tokens.Length != vocabSize)
            throw new ModelFormatException(source, "tokenizer", $"the tokenizer has {tokens.Length} tokens, the model's vocabulary {vocabSize}");
        var sp = tok.Specials;
        var kv = new List<KeyValuePair<string, GgufValue>>
        {
            new(GgufKeys.TokenizerModel, md.RequireString(GgufKeys.TokenizerModel)),
            new(GgufKeys.TokenizerTokens, GgufValue.Array(tokens)),
            new(GgufKeys.TokenizerScores, GgufValue.Array(md.GetFloatArray(GgufKeys.TokenizerScores) ?? new float[tokens.Length])),
            new(GgufKeys.TokenizerTokenType, GgufValue.Array(md.GetInt32Array(GgufKeys.TokenizerTokenType)!)),
            new(GgufKeys.TokenizerBosId, GgufValue.UInt32((uint)(sp.Bos ?? sp.Eos ?? 0))),
            new(GgufKeys.TokenizerEosId, GgufValue.UInt32((uint)(sp.Eos ?? 0))),
            new(GgufKeys.TokenizerUnknownId, GgufValue.UInt32((uint)(sp.Unk ?? 0))),
        };
        if (md.GetStringArray(GgufKeys.TokenizerMerges) is { } merges) kv.Add(new(GgufKeys.TokenizerMerges, GgufValue.Array(merges)));
        if (md.GetString(GgufKeys.TokenizerPre) is { } pre) kv.Add(new(GgufKeys.TokenizerPre, GgufValue.String(pre)));
        return kv;
    }
}
