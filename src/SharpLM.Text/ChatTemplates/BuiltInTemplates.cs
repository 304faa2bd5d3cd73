// BuiltInTemplates: hand-written renderers for the common prompt formats. Each reproduces, character for
// character, the public Jinja template of its family (tests compare both on the same conversations):
//   ChatML      Qwen2-Instruct: "<|im_start|>{role}\n{content}<|im_end|>\n", default system prompt when none is given
//   Llama2      Llama-2-chat: "<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>" (contents stripped)
//   Llama3      Llama-3-Instruct: "<|begin_of_text|><|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>"
//   Mistral     Mistral-Instruct v0.1: "<s>[INST] {user} [/INST]{assistant}</s>"
//   Zephyr      "<|{role}|>\n{content}</s>\n"
//   Baichuan    Baichuan2-Chat: system text, then "<reserved_106>{user}" and "<reserved_107>{assistant}</s>"
//   ChatGlm3    ChatGLM3: "[gMASK]sop" then "<|{role}|>\n {content}" (tool results as <|observation|>)
// The assistant spans cover the assistant content as it appears in the text (after any stripping the format does).
using System.Text;

namespace SharpLM.Text.ChatTemplates;

/// <summary>Builds a prompt and records assistant spans.</summary>
internal sealed class PromptBuilder
{
    private readonly StringBuilder _sb = new();
    private readonly List<TextSpan> _spans = new();

    public PromptBuilder Text(string s) { _sb.Append(s); return this; }

    public PromptBuilder Assistant(string content)
    {
        _spans.Add(new TextSpan(_sb.Length, content.Length));
        _sb.Append(content);
        return this;
    }

    public PromptBuilder Content(ChatMessage m, string content) => m.Role == ChatRole.Assistant ? Assistant(content) : Text(content);

    public ChatRendering Build() => new(_sb.ToString(), _spans.ToArray());
}

/// <summary>The built-in prompt formats.</summary>
public enum ChatFormat { ChatML, Llama2, Llama3, Mistral, Zephyr, Baichuan, ChatGlm3 }

/// <summary>Factory for the built-in renderers.</summary>
public static class BuiltInTemplates
{
    /// <summary>The renderer for <paramref name="format"/>.</summary>
    public static IChatTemplate Get(ChatFormat format) => format switch
    {
        ChatFormat.ChatML => new ChatMLTemplate(),
        ChatFormat.Llama2 => new Llama2Template(),
        ChatFormat.Llama3 => new Llama3Template(),
        ChatFormat.Mistral => new MistralTemplate(),
        ChatFormat.Zephyr => new ZephyrTemplate(),
        ChatFormat.Baichuan => new BaichuanTemplate(),
        ChatFormat.ChatGlm3 => new ChatGlm3Template(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    internal static void RequireAlternation(IReadOnlyList<ChatMessage> turns, string format)
    {
        for (int i = 0; i < turns.Count; i++)
            if ((turns[i].Role == ChatRole.User) != (i % 2 == 0))
                throw new ArgumentException($"{format}: conversation roles must alternate user/assistant/user/assistant/... (message {i} is {turns[i].RoleName}).");
    }
}

/// <summary>ChatML as Qwen2-Instruct uses it.</summary>
public sealed class ChatMLTemplate : IChatTemplate
{
    /// <summary>System prompt added when the conversation has none; null adds nothing.</summary>
    public string? DefaultSystemPrompt { get; init; } = "You are a helpful assistant.";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var b = new PromptBuilder();
        if (DefaultSystemPrompt != null && messages.Count > 0 && messages[0].Role != ChatRole.System)
            b.Text("<|im_start|>system\n" + DefaultSystemPrompt + "<|im_end|>\n");
        foreach (var m in messages) b.Text("<|im_start|>" + m.RoleName + "\n").Content(m, m.Content).Text("<|im_end|>\n");
        if (addGenerationPrompt) b.Text("<|im_start|>assistant\n");
        return b.Build();
    }
}

/// <summary>Llama-2-chat's [INST] format with the system prompt folded into the first user turn.</summary>
public sealed class Llama2Template : IChatTemplate
{
    public string Bos { get; init; } = "<s>";
    public string Eos { get; init; } = "</s>";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        string? system = messages.Count > 0 && messages[0].Role == ChatRole.System ? messages[0].Content : null;
        var turns = system != null ? messages.Skip(1).ToArray() : messages.ToArray();
        BuiltInTemplates.RequireAlternation(turns, "Llama-2 chat template");
        var b = new PromptBuilder();
        for (int i = 0; i < turns.Count(); i++)
        {
            var m = turns[i];
            var content = i == 0 && system != null ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + m.Content : m.Content;
            if (m.Role == ChatRole.User) b.Text(Bos + "[INST] " + content.Trim() + " [/INST]");
            else b.Text(" ").Assistant(content.Trim()).Text(" " + Eos);
        }
        return b.Build();   // the published template adds nothing for a generation prompt
    }
}

/// <summary>Llama-3-Instruct's header format.</summary>
public sealed class Llama3Template : IChatTemplate
{
    public string Bos { get; init; } = "<|begin_of_text|>";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var b = new PromptBuilder();
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            b.Text((i == 0 ? Bos : "") + "<|start_header_id|>" + m.RoleName + "<|end_header_id|>\n\n").Content(m, m.Content.Trim()).Text("<|eot_id|>");
        }
        if (addGenerationPrompt) b.Text("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return b.Build();
    }
}

/// <summary>Mistral-Instruct v0.1: user/assistant only, alternating.</summary>
public sealed class MistralTemplate : IChatTemplate
{
    public string Bos { get; init; } = "<s>";
    public string Eos { get; init; } = "</s>";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        BuiltInTemplates.RequireAlternation(messages, "Mistral chat template");
        var b = new PromptBuilder().Text(Bos);
        foreach (var m in messages)
        {
            if (m.Role == ChatRole.User) b.Text("[INST] " + m.Content + " [/INST]");
            else if (m.Role == ChatRole.Assistant) b.Assistant(m.Content).Text(Eos);
            else throw new ArgumentException("Mistral chat template: only user and assistant roles are supported.");
        }
        return b.Build();
    }
}

/// <summary>Zephyr's "&lt;|role|&gt;" format.</summary>
public sealed class ZephyrTemplate : IChatTemplate
{
    public string Eos { get; init; } = "</s>";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var b = new PromptBuilder();
        foreach (var m in messages)
            if (m.Role != ChatRole.Tool) b.Text("<|" + m.RoleName + "|>\n").Content(m, m.Content).Text(Eos + "\n");
        if (addGenerationPrompt && messages.Count > 0) b.Text("<|assistant|>\n");
        return b.Build();
    }
}

/// <summary>Baichuan2-Chat: the user and assistant turns are introduced by the reserved tokens 106 and 107.</summary>
public sealed class BaichuanTemplate : IChatTemplate
{
    public string Eos { get; init; } = "</s>";
    public string UserToken { get; init; } = "<reserved_106>";
    public string AssistantToken { get; init; } = "<reserved_107>";

    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var b = new PromptBuilder();
        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case ChatRole.System: b.Text(m.Content); break;
                case ChatRole.User: b.Text(UserToken + m.Content); break;
                case ChatRole.Assistant: b.Text(AssistantToken).Assistant(m.Content).Text(Eos); break;
                default: throw new ArgumentException("Baichuan chat template: the tool role is not supported.");
            }
        }
        if (addGenerationPrompt) b.Text(AssistantToken);
        return b.Build();
    }
}

/// <summary>ChatGLM3: "[gMASK]sop" then "&lt;|role|&gt;\n content" per message.</summary>
public sealed class ChatGlm3Template : IChatTemplate
{
    public ChatRendering Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        var b = new PromptBuilder().Text("[gMASK]sop");
        foreach (var m in messages)
        {
            string role = m.Role == ChatRole.Tool ? "observation" : m.RoleName;
            b.Text("<|" + role + "|>\n ").Content(m, m.Content);
        }
        if (addGenerationPrompt) b.Text("<|assistant|>");
        return b.Build();
    }
}
