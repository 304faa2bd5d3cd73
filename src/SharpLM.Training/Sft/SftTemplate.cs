// SftTemplate: the chat template a fine-tuning run renders with — the config's `template` (a built-in format name,
// a .jinja file, or a tokenizer_config.json holding chat_template), else the model's own. A model without a chat
// template and no `template` is an error: silently falling back to ChatML would train a format the model does not
// know. The Jinja source (when there is one) is written into the fine-tuned model's tokenizer_config.json, so
// `sharplm chat` uses the template the model was trained on.
using SharpLM.Text.ChatTemplates;
using SharpLM.Text.ChatTemplates.Jinja;
using SharpLM.Text.Formats;

namespace SharpLM.Training.Sft;

/// <summary>A resolved template and, when it is Jinja, its source.</summary>
public sealed record SftTemplate(IChatTemplate Template, string Description, string? JinjaSource)
{
    private static readonly Dictionary<string, ChatFormat> BuiltIns = new()
    {
        ["chatml"] = ChatFormat.ChatML, ["llama2"] = ChatFormat.Llama2, ["llama3"] = ChatFormat.Llama3, ["mistral"] = ChatFormat.Mistral,
        ["zephyr"] = ChatFormat.Zephyr, ["baichuan"] = ChatFormat.Baichuan, ["chatglm3"] = ChatFormat.ChatGlm3,
    };

    /// <summary>The template <paramref name="spec"/> names, or the model's.</summary>
    public static SftTemplate Resolve(string? spec, ModelTokenizer tokenizer, string modelPath)
    {
        if (spec is null)
        {
            if (!tokenizer.HasChatTemplate)
                throw new ArgumentException($"{modelPath}: the model has no chat template; set template (a built-in name: {string.Join(", ", BuiltIns.Keys)}; a .jinja file; or a tokenizer_config.json).");
            return new SftTemplate(tokenizer.Template, $"{modelPath}'s chat template", (tokenizer.Template as JinjaChatTemplate)?.Source);
        }
        if (BuiltIns.TryGetValue(spec, out var f)) return new SftTemplate(BuiltInTemplates.Get(f), $"built-in {spec}", null);
        if (!File.Exists(spec))
            throw new ArgumentException($"template: '{spec}' is neither a built-in name ({string.Join(", ", BuiltIns.Keys)}) nor a file.");
        string text = File.ReadAllText(spec);
        try
        {
            if (spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                var t = JinjaChatTemplate.FromTokenizerConfig(text);
                return new SftTemplate(t, spec, t.Source);
            }
            string Special(int? id) => id is { } i && tokenizer.Tokenizer?.IdToToken(i) is { } s ? s : "";
            return new SftTemplate(new JinjaChatTemplate(text, Special(tokenizer.Specials.Bos), Special(tokenizer.Specials.Eos)), spec, text);
        }
        catch (Exception e) when (e is FormatException or JinjaException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"template {spec}: {e.Message}", e);
        }
    }
}
