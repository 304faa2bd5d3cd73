// ServerMetrics: the counters /metrics prints in Prometheus' text format — requests by endpoint and status,
// prompt and generated tokens, the generation rate, the queue, the KV cache in use. Counters are bumped from
// request threads (Interlocked); the scheduler publishes its own figures after every step (SchedulerSnapshot).
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace SharpLM.Server.Hosting;

internal sealed class ServerMetrics
{
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();

    public void Request(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);

    public long Requests(string endpoint, int status) => _requests.GetValueOrDefault((endpoint, status));

    /// <summary>The metrics in Prometheus' text exposition format.</summary>
    public string Render(SchedulerSnapshot s)
    {
        var b = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> values)
        {
            b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, v) in values)
                b.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        Metric("sharplm_requests_total", "counter", "HTTP requests by endpoint and status.",
            _requests.OrderBy(p => p.Key.Endpoint).ThenBy(p => p.Key.Status).Select(p => ($"endpoint=\"{p.Key.Endpoint}\",status=\"{p.Key.Status}\"", (double)p.Value)));
        Metric("sharplm_prompt_tokens_total", "counter", "Prompt tokens prefilled (computed, not taken from the prefix cache).", [("", s.PromptTokens)]);
        Metric("sharplm_generated_tokens_total", "counter", "Tokens generated.", [("", s.GeneratedTokens)]);
        Metric("sharplm_generation_tokens_per_second", "gauge", "Generated tokens per second of scheduler busy time (all sequences).", [("", s.TokensPerSecond)]);
        Metric("sharplm_busy_seconds_total", "counter", "Seconds the scheduler spent running the model.", [("", s.BusySeconds)]);
        Metric("sharplm_requests_running", "gauge", "Sequences holding KV-cache slots.", [("", s.Running)]);
        Metric("sharplm_requests_waiting", "gauge", "Sequences queued for a slot.", [("", s.Waiting)]);
        Metric("sharplm_kv_slots_used", "gauge", "KV-cache slots held by sequences.", [("", s.SlotsTotal - s.FreeSlots)]);
        Metric("sharplm_kv_slots_total", "gauge", "KV-cache slots (--parallel).", [("", s.SlotsTotal)]);
        Metric("sharplm_kv_positions_used", "gauge", "Cached positions held by the running sequences.", [("", s.CachedPositions)]);
        if (s.BlocksTotal > 0)
        {
            Metric("sharplm_kv_blocks_used", "gauge", "Paged KV-cache blocks held by sequences.", [("", s.BlocksUsed)]);
            Metric("sharplm_kv_blocks_total", "gauge", "Paged KV-cache blocks in the pool.", [("", s.BlocksTotal)]);
            Metric("sharplm_kv_block_size", "gauge", "Positions per KV-cache block.", [("", s.BlockSize)]);
            Metric("sharplm_prefix_cache_lookup_tokens_total", "counter", "Prompt tokens of admitted requests looked up in the prefix cache.", [("", s.PrefixLookupTokens)]);
            Metric("sharplm_prefix_cache_hit_tokens_total", "counter", "Prompt tokens taken from the prefix cache (not computed).", [("", s.PrefixHitTokens)]);
            Metric("sharplm_prefix_cache_hit_rate", "gauge", "Prefix-cache hit tokens / lookup tokens.", [("", s.PrefixLookupTokens > 0 ? (double)s.PrefixHitTokens / s.PrefixLookupTokens : 0)]);
            Metric("sharplm_preemptions_total", "counter", "Sequences preempted (recomputed later) because KV blocks ran out.", [("", s.Preemptions)]);
        }
        return b.ToString();
    }
}

/// <summary>The scheduler's figures after its last step.</summary>
internal sealed record SchedulerSnapshot(int Running, int Waiting, int FreeSlots, int SlotsTotal, long CachedPositions, long PromptTokens,
                                         long GeneratedTokens, double BusySeconds, int BlocksUsed, int BlocksTotal, int BlockSize,
                                         long PrefixLookupTokens, long PrefixHitTokens, long Preemptions)
{
    public double TokensPerSecond => BusySeconds > 0 ? GeneratedTokens / BusySeconds : 0;
}
