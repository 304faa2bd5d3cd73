// JinjaChatTemplate: renders a conversation with a model's own Jinja chat template (tokenizer_config.json's
// "chat_template"), with the variables Hugging Face passes: messages, bos_token, eos_token,
// add_generation_prompt, tools (plus any extra ones given).
//
// Assistant spans: the template is rendered twice, once as is and once with every assistant content wrapped
// in two private-use marker characters (U+E000 … U+E001). The markers pass through concatenation, "~",
// filters and .strip()/trim (which strip whitespace past them), so their positions in the second output,
// once removed, are the spans of the assistant contents in the first. If removing the markers does not give
// exactly the plain output (a template that measures, compares or slices the content), rendering fails
// rather than report wrong spans.
using System.Text;
using System.Text.Json;
using SharpLM.Text.ChatTemplates.Jinja;

namespace SharpLM.Text.ChatTemplates;

/// <summary>A chat template given as Jinja source.</summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly JinjaTemplate _template;

    /// <summary>Parses the template; throws <see cref="JinjaException"/> with line and column on a syntax error.</summary>
    public JinjaChatTemplate(string source, string bosToken = "", string eosToken = "")
    {
        _template = JinjaTemplate.Parse(source);
        Source = source;
        BosToken = bosToken;
        EosToken = eosToken;
    }

    /// <summary>The Jinja source.</summary>
    public string Source { get; }

    public string BosToken { get; }
    public string EosToken { get; }

    /// <summary>Tool definitions (JSON schema objects) passed as "tools"; null leaves it undefined.</summary>
    public IReadOnlyList<JsonElement>? Tools { get; init; }

    /// <summary>Additional template variables.</summary>
    public IReadOnlyDictionary<string, object?>? ExtraVariables { get; init; }

    /// <summary>Reads "chat_template", "bos_token" and "eos_token" from a tokenizer_config.json document.</summary>
    public static JinjaChatTemplate FromTokenizerConfig(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("chat_template", out var t))
            throw new FormatException("tokenizer_config.json: no \"chat_template\" field.");
        string source = t.ValueKind == JsonValueKind.String ? t.GetString()!
            : t.EnumerateArray().FirstOrDefault(x => x.GetProperty("name").GetString() == "default").GetProperty("template").GetString()!;
        return new JinjaChatTemplate(source, TokenText(root, "bos_token"), TokenText(root, "eos_token"));
    }

    private static string TokenText(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) ? "" : v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString() ?? "",
            _ => "",
        };

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        string plain = _template.Render(Variables(messages, addGenerationPrompt, marked: false));
        string marked = _template.Render(Variables(messages, addGenerationPrompt, marked: true));
        var text = new StringBuilder(plain.Length);
        var spans = new List<TextSpan>();
        var open = new Stack<int>();
        foreach (char c in marked)
        {
            if (c == JinjaValues.SpanOpen) open.Push(text.Length);
            else if (c == JinjaValues.SpanClose && open.Count > 0) { int s = open.Pop(); spans.Add(new TextSpan(s, text.Length - s)); }
            else text.Append(c);
        }
        if (open.Count > 0 || text.ToString() != plain)
            throw new JinjaException("cannot locate the assistant spans: the template transforms message contents beyond concatenation and stripping", 0, 0);
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new ChatRendering(plain, spans);
    }

    private Dictionary<string, object?> Variables(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool marked)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => MessageValue(m, marked)).ToList(),
            ["bos_token"] = BosToken,
            ["eos_token"] = EosToken,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (Tools != null) vars["tools"] = Tools.Select(t => (object?)t).ToList();
        if (ExtraVariables != null) foreach (var (k, v) in ExtraVariables) vars[k] = v;
        return vars;
    }

    private static Dictionary<string, object?> MessageValue(ChatMessage m, bool marked)
    {
        var content = marked && m.Role == ChatRole.Assistant ? JinjaValues.SpanOpen + m.Content + JinjaValues.SpanClose : m.Content;
        var d = new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = m.RoleName, ["content"] = content };
        if (m.Name != null) d["name"] = m.Name;
        if (m.ToolCalls != null)
            d["tool_calls"] = m.ToolCalls.Select(c =>
            {
                var call = new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "function" };
                if (c.Id != null) call["id"] = c.Id;
                using var args = JsonDocument.Parse(c.ArgumentsJson);
                call["function"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = c.Name, ["arguments"] = JinjaTemplate.Convert(args.RootElement.Clone()) };
                return (object?)call;
            }).ToList();
        return d;
    }
}
