// ModelTokenizer: finds the tokenizer that belongs to a model path — the vocabulary inside a GGUF file,
// tokenizer.json beside HF weights (Hugging Face format, or SharpLM's character vocabulary from
// pretraining) — plus its EOS id and chat template, for the CLI verbs that take text.
using System.Text.Json;
using SharpLM.Models.Checkpoints;
using SharpLM.Text;
using SharpLM.Text.Char;
using SharpLM.Text.ChatTemplates;
using SharpLM.Text.Formats;

namespace SharpLM.Cli;

internal sealed record ModelTokenizer(Func<string, int[]> Encode, Func<int[], string> Decode, int? Eos, IChatTemplate Template)
{
    /// <summary>The tokenizer of the model at <paramref name="modelPath"/>, or an error naming what was looked for.</summary>
    public static ModelTokenizer For(string modelPath)
    {
        if (ModelFile.Detect(modelPath) == ModelFileFormat.Gguf)
        {
            var md = GgufVocabReader.Read(modelPath);
            return From(GgufTokenizerLoader.Load(md), md.GetString("tokenizer.chat_template"));
        }
        string file = TokenizerJsonPath(modelPath), dir = Path.GetDirectoryName(file)!;
        if (!File.Exists(file)) throw new FileNotFoundException($"no tokenizer beside the model (looked for {file}).", file);
        string json = File.ReadAllText(file);
        if (IsCharVocabulary(json))
        {
            var ch = CharTokenizer.FromJson(json, file);
            return new ModelTokenizer(ch.Encode, ids => ch.Decode(ids), null, BuiltInTemplates.Get(ChatFormat.ChatML));
        }
        string? template = null;
        var cfg = Path.Combine(dir, "tokenizer_config.json");
        if (File.Exists(cfg) && JsonDocument.Parse(File.ReadAllText(cfg)).RootElement.TryGetProperty("chat_template", out var ct) && ct.ValueKind == JsonValueKind.String)
            template = ct.GetString();
        return From(TokenizerLoader.Load(dir), template);
    }

    /// <summary>The tokenizer.json beside the weights of a non-GGUF model (a folder, or the folder of a file).</summary>
    public static string TokenizerJsonPath(string modelPath) =>
        Path.Combine(Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "tokenizer.json");

    /// <summary>Whether a tokenizer.json holds SharpLM's character vocabulary (written by pretraining), not a Hugging Face tokenizer.</summary>
    public static bool IsCharVocabulary(string tokenizerJson)
    {
        using var doc = JsonDocument.Parse(tokenizerJson);
        return doc.RootElement.TryGetProperty("type", out var t) && t.GetString() == "char";
    }

    private static ModelTokenizer From(Tokenizer tok, string? chatTemplate)
    {
        IChatTemplate template = chatTemplate is null
            ? BuiltInTemplates.Get(ChatFormat.ChatML)
            : new JinjaChatTemplate(chatTemplate, tok.Specials.Bos is { } b ? tok.IdToToken(b) ?? "" : "", tok.Specials.Eos is { } e ? tok.IdToToken(e) ?? "" : "");
        return new ModelTokenizer(t => tok.Encode(t, addSpecial: true, parseSpecial: true), ids => tok.Decode(ids, skipSpecial: true), tok.Specials.Eos, template);
    }
}
