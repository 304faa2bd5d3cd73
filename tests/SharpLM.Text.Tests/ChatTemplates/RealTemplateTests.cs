// Real public chat templates (Fixtures/chat-templates.json, written by tests/oracles/chat_templates.py with
// Jinja2 in Hugging Face's configuration) must render exactly as Jinja2 does and equal the built-in renderer.
using System.Text.Json;
using SharpLM.Text.ChatTemplates;
using Xunit;

namespace SharpLM.Text.Tests.ChatTemplates;

public class RealTemplateTests
{
    private static readonly JsonDocument Fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "chat-templates.json")));

    public static IEnumerable<object[]> Cases() =>
        Fixture.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new object[] { c.GetProperty("template").GetString()!, c.GetProperty("conversation").GetString()!, c.GetProperty("add_generation_prompt").GetBoolean() });

    private static JsonElement Case(string template, string conversation, bool gen) =>
        Fixture.RootElement.GetProperty("cases").EnumerateArray().Single(c =>
            c.GetProperty("template").GetString() == template && c.GetProperty("conversation").GetString() == conversation && c.GetProperty("add_generation_prompt").GetBoolean() == gen);

    private static JinjaChatTemplate Template(string name)
    {
        var t = Fixture.RootElement.GetProperty("templates").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        Assert.False(string.IsNullOrEmpty(t.GetProperty("source").GetString()));
        return new JinjaChatTemplate(t.GetProperty("template").GetString()!, t.GetProperty("bos_token").GetString()!, t.GetProperty("eos_token").GetString()!);
    }

    private static List<ChatMessage> Conversation(string name) =>
        Fixture.RootElement.GetProperty("conversations").GetProperty(name).EnumerateArray()
            .Select(m => new ChatMessage(ChatMessage.ParseRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()!)).ToList();

    private static IChatTemplate BuiltIn(string name) => name switch
    {
        "qwen2-chatml" => BuiltInTemplates.Get(ChatFormat.ChatML),
        "llama-2-chat" => BuiltInTemplates.Get(ChatFormat.Llama2),
        "llama-3-instruct" => BuiltInTemplates.Get(ChatFormat.Llama3),
        "mistral-instruct" => BuiltInTemplates.Get(ChatFormat.Mistral),
        "zephyr" => BuiltInTemplates.Get(ChatFormat.Zephyr),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Jinja_renders_like_jinja2_and_like_the_builtin(string template, string conversation, bool gen)
    {
        var expected = Case(template, conversation, gen).GetProperty("expected").GetString();
        var messages = Conversation(conversation);
        var jinja = Template(template).Render(messages, gen);
        Assert.Equal(expected, jinja.Text);
        var builtIn = BuiltIn(template).Render(messages, gen);
        Assert.Equal(expected, builtIn.Text);
        Assert.Equal(builtIn.AssistantSpans, jinja.AssistantSpans);
        var assistants = messages.Where(m => m.Role == ChatRole.Assistant).ToList();
        Assert.Equal(assistants.Count, jinja.AssistantSpans.Count);
        foreach (var (text, m) in jinja.AssistantTexts.Zip(assistants)) Assert.Contains(text, m.Content);
    }

    [Fact]
    public void Llama2_template_rejects_non_alternating_roles_naming_the_place()
    {
        var msgs = new[] { ChatMessage.User("a"), ChatMessage.User("b") };
        var ex = Assert.Throws<SharpLM.Text.ChatTemplates.Jinja.JinjaException>(() => Template("llama-2-chat").Render(msgs));
        Assert.Contains("Conversation roles must alternate", ex.Message);
        Assert.Equal(1, ex.Line);
        Assert.True(ex.Column > 1);
        Assert.Throws<ArgumentException>(() => BuiltIn("llama-2-chat").Render(msgs));
    }

    [Fact]
    public void Spans_through_end_marker_cover_the_stop_token()
    {
        var r = BuiltInTemplates.Get(ChatFormat.ChatML).Render(Conversation("no_system"));
        var span = Assert.Single(r.SpansThrough("<|im_end|>"));
        Assert.Equal("I'm doing great. How can I help you today?<|im_end|>", r.Text.Substring(span.Start, span.Length));
    }
}
