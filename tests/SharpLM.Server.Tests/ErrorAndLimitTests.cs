// Every refusal in OpenAI's error shape ({"error": {message, type, param, code}}) with its status: malformed JSON
// 400, unknown model 404, missing and wrong API key 401, oversize body 413, a prompt over the context 400 naming the
// limit, n over the parallel slots 400, a full server 429 with Retry-After, a request after shutdown began 503,
// a request over the timeout 408; /health stays open without a key.
using System.Net;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class ErrorAndLimitTests
{
    private const string Chat = """{"messages":[{"role":"system","content":"a"},{"role":"user","content":"b"}],"max_tokens":4,"temperature":0}""";

    [Fact]
    public async Task MalformedJsonUnknownModelPromptOverContextAndNOverParallel()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { Parallel = 2, ContextSize = 64 });
        var (s1, b1, _) = await h.PostAsync("v1/chat/completions", "{\"messages\": [");
        Assert.Contains("malformed JSON", ServerHarness.AssertError(HttpStatusCode.BadRequest, s1, b1));
        var (s2, b2, _) = await h.PostAsync("v1/chat/completions", Chat.Replace("{\"messages\"", "{\"model\":\"gpt-4\",\"messages\""));
        Assert.Contains("gpt-4", ServerHarness.AssertError(HttpStatusCode.NotFound, s2, b2));
        Assert.Equal("model_not_found", (string?)b2!["error"]!["code"]);
        var (s3, b3, _) = await h.PostAsync("v1/completions", $$"""{"prompt":"{{new string('a', 80)}}","max_tokens":4}""");
        Assert.Contains("64", ServerHarness.AssertError(HttpStatusCode.BadRequest, s3, b3));      // names the context limit
        var (s4, b4, _) = await h.PostAsync("v1/completions", $$"""{"prompt":"{{new string('a', 40)}}","max_tokens":30}""");
        Assert.Contains("context length 64", ServerHarness.AssertError(HttpStatusCode.BadRequest, s4, b4));
        var (s5, b5, _) = await h.PostAsync("v1/chat/completions", Chat.Replace("\"max_tokens\"", "\"n\":3,\"max_tokens\""));
        Assert.Contains("at most 2", ServerHarness.AssertError(HttpStatusCode.BadRequest, s5, b5));
        Assert.Equal("n", (string?)b5!["error"]!["param"]);
        var (s6, b6, _) = await h.PostAsync("v1/chat/completions", Chat.Replace("\"max_tokens\"", "\"top_p\":1.5,\"max_tokens\""));
        Assert.Contains("top_p", ServerHarness.AssertError(HttpStatusCode.BadRequest, s6, b6));
        var (s7, b7, _) = await h.PostAsync("v1/chat/completions", Chat.Replace("\"max_tokens\"", "\"frobnicate\":1,\"max_tokens\""));
        Assert.Contains("frobnicate", ServerHarness.AssertError(HttpStatusCode.BadRequest, s7, b7));
        var (s8, b8, _) = await h.PostAsync("v1/nothing", "{}");
        ServerHarness.AssertError(HttpStatusCode.NotFound, s8, b8);
    }

    [Fact]
    public async Task ApiKeysAreRequiredExceptForHealth()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { ApiKeys = ["sekrit"] });
        var (s1, b1, _) = await h.PostAsync("v1/chat/completions", Chat);
        Assert.Contains("missing API key", ServerHarness.AssertError(HttpStatusCode.Unauthorized, s1, b1));
        h.Http.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        var (s2, b2, _) = await h.PostAsync("v1/chat/completions", Chat);
        Assert.Equal("invalid_api_key", (string?)ServerHarness.AssertError(HttpStatusCode.Unauthorized, s2, b2) is { } ? (string?)b2!["error"]!["code"] : null);
        var metrics = await h.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("health")).StatusCode);
        h.Http.DefaultRequestHeaders.Authorization = new("Bearer", "sekrit");
        var (s3, _, _) = await h.PostAsync("v1/chat/completions", Chat);
        Assert.Equal(HttpStatusCode.OK, s3);
    }

    [Fact]
    public async Task OversizeBodyIs413()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { MaxBodyBytes = 4096 });
        string big = $$"""{"prompt":"{{new string('a', 8000)}}","max_tokens":1}""";
        var (s, b, _) = await h.PostAsync("v1/completions", big);
        Assert.Contains("4096", ServerHarness.AssertError(HttpStatusCode.RequestEntityTooLarge, s, b));
    }

    [Fact]
    public async Task AFullServerAnswers429WithRetryAfter()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { Parallel = 1, MaxQueue = 0 });
        using var cancel = new CancellationTokenSource();
        var longRequest = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = ServerHarness.Json("""{"prompt":"a","max_tokens":8000,"temperature":0,"stream":true}""") };
        using var running = await h.Http.SendAsync(longRequest, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var stream = await running.Content.ReadAsStreamAsync();
        Assert.True(await stream.ReadAsync(new byte[16]) > 0);                // it is generating
        var (s, b, r) = await h.PostAsync("v1/completions", """{"prompt":"b","max_tokens":2}""");
        ServerHarness.AssertError(HttpStatusCode.TooManyRequests, s, b);
        Assert.NotNull(r.Headers.RetryAfter);
        cancel.Cancel();
    }

    [Fact]
    public async Task RequestsAfterShutdownBeganAre503()
    {
        await using var h = await ServerHarness.StartAsync();
        h.Server.BeginShutdown();
        var (s, b, r) = await h.PostAsync("v1/chat/completions", Chat);
        ServerHarness.AssertError(HttpStatusCode.ServiceUnavailable, s, b);
        Assert.NotNull(r.Headers.RetryAfter);
    }

    [Fact]
    public async Task ARequestOverTheTimeoutIsCancelledWith408AndFreesItsSlot()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var (s, b, _) = await h.PostAsync("v1/completions", """{"prompt":"a","max_tokens":8000,"temperature":0}""");
        Assert.Contains("timeout", ServerHarness.AssertError(HttpStatusCode.RequestTimeout, s, b));
        await DisconnectTests.WaitUntil(async () => await h.MetricAsync("sharplm_kv_slots_used") == 0, "slots freed after the timeout");
    }
}
