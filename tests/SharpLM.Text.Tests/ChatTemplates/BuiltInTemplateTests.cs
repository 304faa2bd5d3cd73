using SharpLM.Text.ChatTemplates;
using Xunit;

namespace SharpLM.Text.Tests.ChatTemplates;

public class BuiltInTemplateTests
{
    private static readonly ChatMessage[] Chat =
    [
        ChatMessage.System("你是助手"),
        ChatMessage.User("你好"),
        ChatMessage.Assistant("你好！有什么可以帮你？"),
        ChatMessage.User("写一首诗"),
    ];

    [Fact]
    public void Baichuan_uses_reserved_tokens()
    {
        var r = BuiltInTemplates.Get(ChatFormat.Baichuan).Render(Chat, addGenerationPrompt: true);
        Assert.Equal("你是助手<reserved_106>你好<reserved_107>你好！有什么可以帮你？</s><reserved_106>写一首诗<reserved_107>", r.Text);
        Assert.Equal(["你好！有什么可以帮你？"], r.AssistantTexts);
    }

    [Fact]
    public void ChatGlm3_uses_role_tokens()
    {
        var r = BuiltInTemplates.Get(ChatFormat.ChatGlm3).Render(Chat, addGenerationPrompt: true);
        Assert.Equal("[gMASK]sop<|system|>\n 你是助手<|user|>\n 你好<|assistant|>\n 你好！有什么可以帮你？<|user|>\n 写一首诗<|assistant|>", r.Text);
        Assert.Equal(["你好！有什么可以帮你？"], r.AssistantTexts);
    }

    [Fact]
    public void Llama3_trims_contents_and_spans_follow()
    {
        var r = BuiltInTemplates.Get(ChatFormat.Llama3).Render([ChatMessage.User("hi"), ChatMessage.Assistant("  hello  ")]);
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nhello<|eot_id|>", r.Text);
        Assert.Equal(["hello"], r.AssistantTexts);
    }

    [Fact]
    public void ChatML_without_default_system_prompt()
    {
        var r = new ChatMLTemplate { DefaultSystemPrompt = null }.Render([ChatMessage.User("x")], addGenerationPrompt: true);
        Assert.Equal("<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n", r.Text);
        Assert.Empty(r.AssistantSpans);
    }
}
