// The SFT data forms: OpenAI messages, ShareGPT conversations, Alpaca and self-instruct (the ../shared seed tasks
// and user-oriented instructions), read into conversations; bad lines fail with file:line and the field.
using SharpLM.Text.ChatTemplates;
using SharpLM.Training.Sft;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Training.Tests.Sft;

public class SftDataReaderTests
{
    private static string Jsonl(params string[] lines)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("sft-data").FullName, "data.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Reads_messages_sharegpt_and_alpaca_lines()
    {
        var path = Jsonl(
            """{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}""",
            """{"id": "x1", "conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}, {"from": "human", "value": "3+3?"}, {"from": "gpt", "value": "6"}]}""",
            "",
            """{"instruction": "Translate to French.", "input": "cat", "output": "chat"}""",
            """{"instruction": "Say hi.", "output": "hi"}""");
        var c = SftDataReader.Read(path);
        Assert.Equal(4, c.Count);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant], c[0].Select(m => m.Role));
        Assert.Equal(["2+2?", "4", "3+3?", "6"], c[1].Select(m => m.Content));
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant], c[1].Select(m => m.Role));
        Assert.Equal("Translate to French.\n\ncat", c[2][0].Content);
        Assert.Equal("chat", c[2][1].Content);
        Assert.Equal("Say hi.", c[3][0].Content);
    }

    [Theory]
    [InlineData("self-instruct-seed-tasks.jsonl", 175)]
    [InlineData("user-oriented-instructions.jsonl", 252)]
    public void Reads_the_self_instruct_files(string file, int instances)
    {
        var c = SftDataReader.Read(RepoPaths.SharedData("sft", file), SftFormat.SelfInstruct);
        Assert.Equal(instances, c.Count);
        Assert.All(c, conv => Assert.Equal([ChatRole.User, ChatRole.Assistant], conv.Select(m => m.Role)));
        Assert.Equal(c, SftDataReader.Read(RepoPaths.SharedData("sft", file)));   // auto-detected the same way
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "robot", "content": "x"}]}""", "data.jsonl:1: messages[0]: unknown role \"robot\"")]
    [InlineData("""{"messages": [{"role": "user", "content": "x", "weight": 0}]}""", "messages[0]: unknown key \"weight\"")]
    [InlineData("""{"instruction": "x", "output": "y", "history": []}""", "unknown key \"history\"")]
    [InlineData("""{"instruction": "x"}""", "output: expected a string (missing)")]
    [InlineData("""{"conversations": [{"from": "bot", "value": "x"}]}""", "unknown speaker \"bot\"")]
    [InlineData("""{"text": "plain"}""", "cannot tell the data form")]
    [InlineData("""not json""", "data.jsonl:1: not a JSON object")]
    [InlineData("""{"messages": "x"}""", "messages: expected an array")]
    public void Bad_lines_name_the_line_and_field(string line, string message)
    {
        var e = Assert.Throws<FormatException>(() => SftDataReader.Read(Jsonl(line)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SftDataReader.Read("/nonexistent/sft.jsonl"));
        Assert.Contains("/nonexistent/sft.jsonl", e.Message);
    }
}
