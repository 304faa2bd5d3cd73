// The paged KV cache behind the server: a second request with the same long (≈1K-token) system prompt takes the
// shared full blocks from the prefix cache — /metrics show the hit tokens, the prompt tokens it computed are only
// the unshared tail — and still answers exactly as offline generate; when the pool has fewer blocks than the running
// sequences need, sequences are preempted and recomputed, every answer still equals offline generate, and all
// blocks come back at the end.
using System.Net;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class PagedCacheTests
{
    private static string Chat(string system, string user, int max) =>
        $$"""{"messages":[{"role":"system","content":"{{system}}"},{"role":"user","content":"{{user}}"}],"max_tokens":{{max}},"temperature":0}""";

    [Fact]
    public async Task ASecondRequestWithTheSameSystemPromptReusesItsBlocks()
    {
        await using var h = await ServerHarness.StartAsync(o => o with { Parallel = 2 });
        string system = string.Concat(Enumerable.Range(0, 100).Select(i => $"rule {i % 10}: ok. "))[..1000];
        var (s1, _, _) = await h.PostAsync("v1/chat/completions", Chat(system, "first question", 8));
        Assert.Equal(HttpStatusCode.OK, s1);
        double computedBefore = await h.MetricAsync("sharplm_prompt_tokens_total"), hitsBefore = await h.MetricAsync("sharplm_prefix_cache_hit_tokens_total");
        Assert.Equal(0, hitsBefore);
        var (s2, b2, _) = await h.PostAsync("v1/chat/completions", Chat(system, "another one", 8));
        Assert.Equal(HttpStatusCode.OK, s2);
        string prompt2 = TinyServedModel.ChatPrompt(system, "another one");
        int promptTokens = TinyServedModel.Encode(prompt2).Length;
        // The shared prefix: the template's start, the system prompt and the user turn's opening, up to "another" vs "first".
        int shared = 0;
        string prompt1 = TinyServedModel.ChatPrompt(system, "first question");
        while (prompt1[shared] == prompt2[shared]) shared++;
        double hits = await h.MetricAsync("sharplm_prefix_cache_hit_tokens_total");
        Assert.Equal(shared / 16 * 16, hits);                                              // every full shared block, no more
        Assert.True(hits >= 1000, $"hits {hits}");
        Assert.Equal(promptTokens - hits, await h.MetricAsync("sharplm_prompt_tokens_total") - computedBefore);
        Assert.True(await h.MetricAsync("sharplm_prefix_cache_hit_rate") > 0.4);
        Assert.Equal(TinyServedModel.Generate(prompt2, 8).Text, (string?)b2!["choices"]![0]!["message"]!["content"]);
        Assert.Equal(0, await h.MetricAsync("sharplm_kv_blocks_used"));
    }

    [Fact]
    public async Task WhenBlocksRunOutSequencesArePreemptedAndStillAnswerExactly()
    {
        // 4 sequences of up to 40 + 150 positions need 4 × 12 blocks; the pool has 20 (a full context of 256 is 16).
        await using var h = await ServerHarness.StartAsync(o => o with { Parallel = 4, ContextSize = 256, KvBlocks = 20 });
        var prompts = Enumerable.Range(0, 4).Select(i => $"sequence {i} " + new string((char)('k' + i), 28)).ToArray();
        var tasks = prompts.Select(p => h.PostAsync("v1/completions", $$"""{"prompt":"{{p}}","max_tokens":150,"temperature":0}""")).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, results[i].Status);
            Assert.Equal(TinyServedModel.Generate(prompts[i], 150).Text, (string?)results[i].Body!["choices"]![0]!["text"]);
        }
        Assert.True(await h.MetricAsync("sharplm_preemptions_total") > 0, "the pool was too small for all four: some must have been preempted");
        Assert.Equal(0, await h.MetricAsync("sharplm_kv_blocks_used"));
        Assert.Equal(20, await h.MetricAsync("sharplm_kv_blocks_total"));
    }
}
