// A client that disconnects mid-stream: its sequence is cancelled and its cache slot and positions are freed
// (metrics show it), generation stops well before max_tokens, and the server keeps answering.
using System.Net;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class DisconnectTests
{
    internal static async Task WaitUntil(Func<Task<bool>> condition, string what, int timeoutMs = 20000)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs) throw new Xunit.Sdk.XunitException($"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task DisconnectingMidStreamFreesTheSlotAndItsCache()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { Parallel = 2 });
        using (var client = new HttpClient { BaseAddress = h.Server.BaseAddress })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = ServerHarness.Json("""{"messages":[{"role":"system","content":"a"},{"role":"user","content":"b"}],"max_tokens":8000,"temperature":0,"stream":true}"""),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            int read = 0;
            while (read < 600) read += await stream.ReadAsync(buffer);          // a few chunks arrived: it is decoding
            Assert.Equal(1, await h.MetricAsync("sharplm_kv_slots_used"));
            Assert.True(await h.MetricAsync("sharplm_kv_positions_used") > 0);
            Assert.True(await h.MetricAsync("sharplm_kv_blocks_used") > 0);
        }                                                                       // the connection closes here
        await WaitUntil(async () => await h.MetricAsync("sharplm_kv_slots_used") == 0, "the slot is freed");
        Assert.Equal(0, await h.MetricAsync("sharplm_kv_positions_used"));
        Assert.Equal(0, await h.MetricAsync("sharplm_kv_blocks_used"));
        Assert.Equal(0, await h.MetricAsync("sharplm_requests_running"));
        double generated = await h.MetricAsync("sharplm_generated_tokens_total");
        Assert.True(generated < 8000, $"generation should stop at the disconnect, generated {generated}");
        await Task.Delay(200);
        Assert.Equal(generated, await h.MetricAsync("sharplm_generated_tokens_total"));  // nothing runs for the gone client
        var (s, _, _) = await h.PostAsync("v1/completions", """{"prompt":"a","max_tokens":3}""");
        Assert.Equal(HttpStatusCode.OK, s);
    }
}
