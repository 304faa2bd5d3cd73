// ModelTokenizer: the tokenizer that belongs to a model path, as the generation verbs and the server use it —
// the vocabulary inside a GGUF file (with its tokenizer.chat_template), or tokenizer.json beside Hugging Face /
// llama2.c weights (a Hugging Face tokenizer with tokenizer_config.json's chat_template, or SharpLM's character
// vocabulary from pretraining) — with encode (specials added and parsed), decode (specials skipped), the EOS id
// and the chat template (ChatML when the model names none). ModelOpener (Inference) opens it beside the weights.
using System.Text.Json;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Text.Char;
using SharpLM.Text.ChatTemplates;

namespace SharpLM.Text.Formats;

/// <summary>A model's tokenizer with its EOS id and chat template.</summary>
public sealed class ModelTokenizer
{
    private readonly Func<string, int[]> _encode;
    private readonly Func<int[], string> _decode;

    private ModelTokenizer(string source, Tokenizer? tokenizer, int vocabSize, Func<string, int[]> encode, Func<int[], string> decode,
                           SpecialTokens specials, IChatTemplate template, bool hasChatTemplate = false)
    {
        Source = source; Tokenizer = tokenizer; VocabSize = vocabSize; _encode = encode; _decode = decode; Specials = specials; Template = template;
        HasChatTemplate = hasChatTemplate;
    }

    /// <summary>Whether the model names its own chat template (else <see cref="Template"/> is the ChatML fallback).</summary>
    public bool HasChatTemplate { get; }

    /// <summary>The file the tokenizer was read from (the GGUF file or tokenizer.json).</summary>
    public string Source { get; }

    /// <summary>The tokenizer itself; null for SharpLM's character vocabulary (which has no specials).</summary>
    public Tokenizer? Tokenizer { get; }

    /// <summary>Number of token ids the tokenizer knows.</summary>
    public int VocabSize { get; }

    /// <summary>Special-token ids (BOS, EOS, …; all null for a character vocabulary).</summary>
    public SpecialTokens Specials { get; }

    /// <summary>The end-of-sequence id generation stops at, if the tokenizer has one.</summary>
    public int? Eos => Specials.Eos;

    /// <summary>The model's chat template (its own Jinja template, else ChatML).</summary>
    public IChatTemplate Template { get; }

    /// <summary>Text → ids, adding the tokenizer's BOS/EOS as it asks and parsing special tokens written in the text.</summary>
    public int[] Encode(string text) => _encode(text);

    /// <summary>Ids → text, special tokens skipped.</summary>
    public string Decode(int[] ids) => _decode(ids);

    /// <summary>
    /// The tokenizer of the model at <paramref name="modelPath"/>, or a FileNotFoundException naming the tokenizer.json
    /// looked for. Malformed tokenizer files throw InvalidDataException (or JsonException) naming the file.
    /// </summary>
    public static ModelTokenizer For(string modelPath) =>
        TryFor(modelPath) ?? throw new FileNotFoundException(
            $"{modelPath}: no tokenizer beside the model (expected {ModelVocabulary.TokenizerJsonPath(modelPath)}: a Hugging Face tokenizer.json or SharpLM's character vocabulary).",
            ModelVocabulary.TokenizerJsonPath(modelPath));

    /// <summary>As <see cref="For"/>, but null when the model has no tokenizer (no tokenizer.json beside it, or a GGUF without tokenizer.ggml.model).</summary>
    public static ModelTokenizer? TryFor(string modelPath)
    {
        modelPath = ModelPath.Resolve(modelPath);
        if (GgufFile.IsGguf(modelPath))
        {
            var md = GgufTokenizerLoader.ReadMetadata(modelPath);
            if (md.GetString(GgufKeys.TokenizerModel) is null) return null;
            return From(modelPath, GgufTokenizerLoader.Load(md), md.GetString(GgufKeys.TokenizerChatTemplate));
        }
        string file = ModelVocabulary.TokenizerJsonPath(modelPath), dir = Path.GetDirectoryName(file)!;
        if (!ModelPath.FileExists(file)) return null;
        string json = File.ReadAllText(file);
        if (ModelVocabulary.IsCharVocabulary(json))
        {
            var ch = CharTokenizer.FromJson(json, file);
            return new ModelTokenizer(file, null, ch.VocabSize, ch.Encode, ids => ch.Decode(ids), new SpecialTokens(), BuiltInTemplates.Get(ChatFormat.ChatML));
        }
        return From(file, TokenizerLoader.Load(dir), ChatTemplateBeside(dir));
    }

    /// <summary>tokenizer_config.json's "chat_template" string, when the folder has one.</summary>
    private static string? ChatTemplateBeside(string dir)
    {
        var cfg = Path.Combine(dir, "tokenizer_config.json");
        if (!ModelPath.FileExists(cfg)) return null;
        using var doc = JsonFile.Parse(cfg, "a tokenizer_config.json object");
        return doc.RootElement.TryGetProperty("chat_template", out var ct) && ct.ValueKind == JsonValueKind.String ? ct.GetString() : null;
    }

    private static ModelTokenizer From(string source, Tokenizer tok, string? chatTemplate)
    {
        string Token(int? id) => id is { } i ? tok.IdToToken(i) ?? "" : "";
        IChatTemplate template = chatTemplate is null
            ? BuiltInTemplates.Get(ChatFormat.ChatML)
            : new JinjaChatTemplate(chatTemplate, Token(tok.Specials.Bos), Token(tok.Specials.Eos));
        return new ModelTokenizer(source, tok, tok.VocabSize, t => tok.Encode(t, addSpecial: true, parseSpecial: true),
                                  ids => tok.Decode(ids, skipSpecial: true), tok.Specials, template, chatTemplate is not null);
    }
}
