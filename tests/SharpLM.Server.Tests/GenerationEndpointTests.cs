// The generation endpoints against the library's offline `generate` path (TextGenerator on a one-slot engine):
// greedy chat and text completions, streamed and not, equal it token for token (the character vocabulary makes
// text and ids one to one, and usage counts the tokens); 8 parallel requests, greedy and seeded sampling, each get
// exactly what they get alone; n choices sample with seed + i; stop strings cut the text; logprobs are the
// model's log-softmax of the chosen token, with the chosen token first among the top alternatives under greedy.
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class GenerationEndpointTests : IAsyncLifetime
{
    private ServerHarness _h = null!;

    public async Task InitializeAsync() => _h = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string ChatBody(string system, string user, int maxTokens, bool stream, string extra = "") =>
        $$"""{"model":"tiny","messages":[{"role":"system","content":"{{system}}"},{"role":"user","content":"{{user}}"}],"max_tokens":{{maxTokens}},"temperature":0,"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    [Fact]
    public async Task NonStreamedGreedyChatEqualsOfflineGenerate()
    {
        var expected = TinyServedModel.Generate(TinyServedModel.ChatPrompt("you are terse.", "hello there"), 40);
        var (status, body, _) = await _h.PostAsync("v1/chat/completions", ChatBody("you are terse.", "hello there", 40, false));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("chat.completion", (string?)body!["object"]);
        var choice = body["choices"]![0]!;
        Assert.Equal("assistant", (string?)choice["message"]!["role"]);
        Assert.Equal(expected.Text, (string?)choice["message"]!["content"]);
        Assert.Equal("length", (string?)choice["finish_reason"]);
        Assert.Equal(40, (int)body["usage"]!["completion_tokens"]!);
        Assert.Equal(TinyServedModel.Encode(TinyServedModel.ChatPrompt("you are terse.", "hello there")).Length, (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(expected.Tokens, TinyServedModel.Encode((string)choice["message"]!["content"]!));
    }

    [Fact]
    public async Task StreamedGreedyChatEqualsOfflineGenerate()
    {
        var expected = TinyServedModel.Generate(TinyServedModel.ChatPrompt("be brief.", "what is 2+2?"), 30);
        var r = await _h.Http.PostAsync("v1/chat/completions", ServerHarness.Json(ChatBody("be brief.", "what is 2+2?", 30, true, ",\"stream_options\":{\"include_usage\":true}")));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/event-stream", r.Content.Headers.ContentType!.MediaType);
        var chunks = ServerHarness.SseChunks(await r.Content.ReadAsStringAsync());
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        var text = new StringBuilder();
        foreach (var c in chunks.Where(c => c["choices"]!.AsArray().Count > 0)) text.Append((string?)c["choices"]![0]!["delta"]!["content"]);
        Assert.Equal(expected.Text, text.ToString());
        Assert.Equal("length", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.Equal(30, (int)chunks[^1]["usage"]!["completion_tokens"]!);     // the usage chunk comes last, with no choices
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GreedyTextCompletionEqualsOfflineGenerate(bool stream)
    {
        var expected = TinyServedModel.Generate("the cat sat on", 25);
        var r = await _h.Http.PostAsync("v1/completions", ServerHarness.Json($$"""{"prompt":"the cat sat on","max_tokens":25,"temperature":0,"stream":{{(stream ? "true" : "false")}}}"""));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        string body = await r.Content.ReadAsStringAsync();
        string text = stream
            ? string.Concat(ServerHarness.SseChunks(body).Select(c => (string?)c["choices"]![0]!["text"]))
            : (string)JsonNode.Parse(body)!["choices"]![0]!["text"]!;
        Assert.Equal(expected.Text, text);
    }

    [Fact]
    public async Task EightParallelRequestsEachGetWhatTheyGetAlone()
    {
        var prompts = Enumerable.Range(0, 8).Select(i => $"prompt number {i}: {new string((char)('a' + i), i + 1)}").ToArray();
        // Half greedy, half sampled with their own seeds; different lengths so sequences leave the batch at different steps.
        var expected = prompts.Select((p, i) => TinyServedModel.Generate(p, 20 + 3 * i, i % 2 == 0 ? 0 : 0.9f, (ulong)(100 + i))).ToArray();
        var tasks = prompts.Select((p, i) => _h.PostAsync("v1/completions",
            $$"""{"prompt":"{{p}}","max_tokens":{{20 + 3 * i}},"temperature":{{(i % 2 == 0 ? "0" : "0.9")}},"seed":{{100 + i}},"stream":false}""")).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(HttpStatusCode.OK, results[i].Status);
            Assert.Equal(expected[i].Text, (string?)results[i].Body!["choices"]![0]!["text"]);
        }
    }

    [Fact]
    public async Task NChoicesSampleWithSeedPlusIndex()
    {
        string prompt = TinyServedModel.ChatPrompt("sample.", "go");
        var (status, body, _) = await _h.PostAsync("v1/chat/completions",
            """{"messages":[{"role":"system","content":"sample."},{"role":"user","content":"go"}],"n":3,"seed":7,"temperature":1.0,"max_tokens":15}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var choices = body!["choices"]!.AsArray();
        Assert.Equal(3, choices.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, (int)choices[i]!["index"]!);
            Assert.Equal(TinyServedModel.Generate(prompt, 15, 1.0f, (ulong)(7 + i)).Text, (string?)choices[i]!["message"]!["content"]);
        }
        Assert.Equal(45, (int)body["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task AStopStringCutsTheTextLikeOfflineGenerate()
    {
        var full = TinyServedModel.Generate("stop here", 40).Text;
        string stop = full.Substring(10, 2);                            // occurs in the greedy continuation
        var expected = TinyServedModel.Generate("stop here", 40, stop: [stop]);
        Assert.Equal(SharpLM.Inference.Generation.FinishReason.Stop, expected.Finish);
        var (status, body, _) = await _h.PostAsync("v1/completions", $$"""{"prompt":"stop here","max_tokens":40,"temperature":0,"stop":["{{stop}}"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected.Text, (string?)body!["choices"]![0]!["text"]);
        Assert.Equal("stop", (string?)body["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task LogprobsAreTheModelsLogSoftmaxOfTheChosenToken()
    {
        var (status, body, _) = await _h.PostAsync("v1/chat/completions",
            """{"messages":[{"role":"system","content":"x"},{"role":"user","content":"y"}],"max_tokens":6,"temperature":0,"logprobs":true,"top_logprobs":3}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var content = body!["choices"]![0]!["logprobs"]!["content"]!.AsArray();
        Assert.Equal(6, content.Count);
        // The reference: the one-slot engine's logits after the prompt plus the tokens so far, log-softmaxed.
        var prompt = TinyServedModel.Encode(TinyServedModel.ChatPrompt("x", "y")).ToList();
        using var m = SharpLM.Inference.Loading.ModelOpener.Open(TinyServedModel.Path);
        var logits = new float[m.Lm.VocabSize];
        foreach (var entry in content)
        {
            m.Lm.Forward(prompt.ToArray(), 0, logits);
            int id = TinyServedModel.Encode((string)entry!["token"]!)[0];
            Assert.Equal(SharpLM.Inference.Sampling.LogitMath.LogProb(logits, id), (double)entry["logprob"]!, 4);
            var top = entry["top_logprobs"]!.AsArray();
            Assert.Equal(3, top.Count);
            Assert.Equal((string?)entry["token"], (string?)top[0]!["token"]);   // greedy: the chosen token is the most likely
            Assert.True((double)top[0]!["logprob"]! >= (double)top[1]!["logprob"]! && (double)top[1]!["logprob"]! >= (double)top[2]!["logprob"]!);
            prompt.Add(id);
        }
    }

    [Fact]
    public async Task ModelsTokenizeDetokenizeHealth()
    {
        var models = JsonNode.Parse(await _h.Http.GetStringAsync("v1/models"))!;
        Assert.Equal("tiny", (string?)models["data"]![0]!["id"]);
        var (_, tok, _) = await _h.PostAsync("tokenize", """{"content":"abc"}""");
        Assert.Equal(TinyServedModel.Encode("abc"), tok!["tokens"]!.AsArray().Select(t => (int)t!).ToArray());
        var (_, detok, _) = await _h.PostAsync("detokenize", $"{{\"tokens\":[{string.Join(",", TinyServedModel.Encode("abc"))}]}}");
        Assert.Equal("abc", (string?)detok!["content"]);
        Assert.Equal("ok", (string?)JsonNode.Parse(await _h.Http.GetStringAsync("health"))!["status"]);
    }

    [Fact]
    public async Task EmbeddingsAreUnitNormMeanPooledHiddenStates()
    {
        var (status, body, _) = await _h.PostAsync("v1/embeddings", """{"input":["hello","hello","world"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var data = body!["data"]!.AsArray();
        var vecs = data.Select(d => d!["embedding"]!.AsArray().Select(v => (float)v!).ToArray()).ToArray();
        Assert.Equal(32, vecs[0].Length);                                                           // hidden size of the fixture
        Assert.Equal(1.0, Math.Sqrt(vecs[0].Sum(v => (double)v * v)), 4);
        Assert.Equal(vecs[0], vecs[1]);
        Assert.NotEqual(vecs[0], vecs[2]);
        Assert.Equal(5 + 5 + 5, (int)body["usage"]!["prompt_tokens"]!);
    }
}

public sealed class WebPageTests
{
    [Fact]
    public async Task TheChatPageIsServedAtTheRootWithoutAKey()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { ApiKeys = ["k"] });
        var r = await h.Http.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType!.MediaType);
        string html = await r.Content.ReadAsStringAsync();
        foreach (var part in new[] { "<title>SharpLM chat</title>", "fetch(\"v1/chat/completions\"", "stream: true", "id=\"stopbtn\"", "id=\"new\"", "id=\"temperature\"", "function markdown(" })
            Assert.Contains(part, html);
    }
}
