// ChatMessage and ChatRendering: the conversation model the chat templates render, and what they return —
// the prompt text plus the character spans of each assistant message's content, which SFT uses to mask the
// loss to the assistant's tokens (map the spans through the tokenizer's offsets).
namespace SharpLM.Text.ChatTemplates;

/// <summary>Who wrote a message.</summary>
public enum ChatRole { System, User, Assistant, Tool }

/// <summary>A function call made by the assistant; <paramref name="ArgumentsJson"/> is a JSON object.</summary>
public sealed record ToolCall(string Name, string ArgumentsJson, string? Id = null);

/// <summary>One message of a conversation.</summary>
public sealed record ChatMessage(ChatRole Role, string Content)
{
    /// <summary>Tool calls made by an assistant message.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>The tool's (or speaker's) name, where the template uses one.</summary>
    public string? Name { get; init; }

    /// <summary>The role as templates spell it ("system", "user", "assistant", "tool").</summary>
    public string RoleName => Role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        ChatRole.Assistant => "assistant",
        _ => "tool",
    };

    public static ChatMessage System(string content) => new(ChatRole.System, content);
    public static ChatMessage User(string content) => new(ChatRole.User, content);
    public static ChatMessage Assistant(string content) => new(ChatRole.Assistant, content);
    public static ChatMessage Tool(string content, string? name = null) => new(ChatRole.Tool, content) { Name = name };

    /// <summary>Parses a role name as templates spell it.</summary>
    public static ChatRole ParseRole(string role) => role switch
    {
        "system" => ChatRole.System,
        "user" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        "tool" or "ipython" or "observation" => ChatRole.Tool,
        _ => throw new FormatException($"ChatMessage: unknown role \"{role}\" (expected system, user, assistant or tool)."),
    };
}

/// <summary>A half-open character range [Start, Start + Length) of a rendered prompt.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
    public override string ToString() => $"[{Start}, {End})";
}

/// <summary>A rendered conversation and the spans of the assistant contents in it.</summary>
public sealed record ChatRendering(string Text, IReadOnlyList<TextSpan> AssistantSpans)
{
    /// <summary>The text of each assistant span.</summary>
    public IEnumerable<string> AssistantTexts => AssistantSpans.Select(s => Text.Substring(s.Start, s.Length));

    /// <summary>
    /// The spans extended over an end-of-turn marker that follows each one (after optional whitespace), e.g.
    /// "&lt;|im_end|&gt;" or "&lt;/s&gt;", so that SFT also trains the model to stop.
    /// </summary>
    public IReadOnlyList<TextSpan> SpansThrough(string endMarker)
    {
        var result = new List<TextSpan>(AssistantSpans.Count);
        foreach (var s in AssistantSpans)
        {
            int p = s.End;
            while (p < Text.Length && char.IsWhiteSpace(Text[p]) && !Text.AsSpan(p).StartsWith(endMarker)) p++;
            result.Add(Text.AsSpan(p).StartsWith(endMarker) ? new TextSpan(s.Start, p + endMarker.Length - s.Start) : s);
        }
        return result;
    }
}

/// <summary>Renders a conversation into a model's prompt format.</summary>
public interface IChatTemplate
{
    /// <summary>Renders <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/> the text ends where the assistant's reply starts.</summary>
    ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false);
}
