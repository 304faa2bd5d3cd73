// ModelTokenizer: finds the tokenizer that belongs to a model path — the vocabulary inside a GGUF file,
// tokenizer.json beside HF weights (Hugging Face format, or SharpLM's character vocabulary from
// pretraining) — plus its EOS id and chat template, for the CLI verbs that take text.
using System.Text.Json;
using SharpLM.Formats.Gguf;
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
            var md = GgufTokenizerLoader.ReadMetadata(modelPath);
            return From(GgufTokenizerLoader.Load(md), md.GetString(GgufKeys.TokenizerChatTemplate));
        }
        string file = ModelVocabulary.TokenizerJsonPath(modelPath), dir = Path.GetDirectoryName(file)!;
        if (!File.Exists(file)) throw new FileNotFoundException($"no tokenizer beside the model (looked for {file}).", file);
        string json = File.ReadAllText(file);
        if (ModelVocabulary.IsCharVocabulary(json))
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

    private static ModelTokenizer From(Tokenizer tok, string? chatTemplate)
    {
        IChatTemplate template = chatTemplate is null
            ? BuiltInTemplates.Get(ChatFormat.ChatML)
            : new JinjaChatTemplate(chatTemplate, tok.Specials.Bos is { } b ? tok.IdToToken(b) ?? "" : "", tok.Specials.Eos is { } e ? tok.IdToToken(e) ?? "" : "");
        return new ModelTokenizer(t => tok.Encode(t, addSpecial: true, parseSpecial: true), ids => tok.Decode(ids, skipSpecial: true), tok.Specials.Eos, template);
    }
}
