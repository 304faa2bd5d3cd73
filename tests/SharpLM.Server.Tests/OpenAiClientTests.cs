// The official OpenAI .NET client (NuGet OpenAI) against the server: greedy chat, non-streamed and streamed, equals
// the offline generate path, with a Bearer key.
using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class OpenAiClientTests
{
    [Fact]
    public async Task TheOfficialClientGetsTheOfflineGreedyAnswer()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { ApiKeys = ["k-123"] });
        var client = new ChatClient("tiny", new ApiKeyCredential("k-123"), new OpenAIClientOptions { Endpoint = new Uri(h.Server.BaseAddress, "v1") });
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 };
        ChatMessage[] messages = [new SystemChatMessage("you answer."), new UserChatMessage("hi there")];
        var expected = TinyServedModel.Generate(TinyServedModel.ChatPrompt("you answer.", "hi there"), 24);

        ChatCompletion completion = (await client.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(24, completion.Usage.OutputTokenCount);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(expected.Text, streamed.ToString());
    }
}
