// ServerOptions: everything `sharplm serve` configures — the model, where to listen, how many sequences run at
// once and how many may wait, the context per sequence, and the security limits (API keys, body size, max_tokens
// cap, request timeout, CORS origins). Validate() names the bad option before anything is opened.
namespace SharpLM.Server;

/// <summary>Configuration of a <see cref="SharpLmServer"/>.</summary>
public sealed record ServerOptions
{
    /// <summary>The model file or folder, opened once at start (requests can name only this model).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The name /v1/models lists and requests must use (default: the model's file or folder name).</summary>
    public string? ModelName { get; init; }

    /// <summary>Address to bind: loopback unless asked otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port (0: an ephemeral port, see <see cref="SharpLmServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Sequences decoded together (KV-cache slots).</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Requests that may wait for a slot beyond the running ones; more are refused with 429.</summary>
    public int MaxQueue { get; init; } = 64;

    /// <summary>Positions per sequence (default and cap: the model's context).</summary>
    public int? ContextSize { get; init; }

    /// <summary>Blocks of the paged KV cache shared by all sequences (16 positions each); default: a full context per sequence.</summary>
    public int? KvBlocks { get; init; }

    /// <summary>Prompt tokens one scheduler step prefills (a long prompt runs in chunks between decode steps).</summary>
    public int PrefillChunk { get; init; } = 128;

    /// <summary>Accepted Bearer keys; empty = no authentication.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Largest request body in bytes (413 above).</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Largest max_tokens a request may ask for (default: the context).</summary>
    public int? MaxTokensLimit { get; init; }

    /// <summary>A request running longer is cancelled (its cache freed).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Origins allowed by CORS; empty = CORS off.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Worker threads for the matmuls (null: every core).</summary>
    public int? Threads { get; init; }

    /// <summary>Throws naming the first bad option.</summary>
    public ServerOptions Validate()
    {
        static void Check(bool ok, string msg) { if (!ok) throw new ArgumentException(msg); }
        Check(!string.IsNullOrWhiteSpace(Host), "--host: empty.");
        Check(Port is >= 0 and <= 65535, $"--port must be in [0, 65535], got {Port}.");
        Check(Parallel >= 1, $"--parallel must be at least 1, got {Parallel}.");
        Check(MaxQueue >= 0, $"--max-queue must be at least 0, got {MaxQueue}.");
        Check(ContextSize is null or >= 2, $"--ctx-size must be at least 2, got {ContextSize}.");
        Check(KvBlocks is null or >= 1, $"--kv-blocks must be at least 1, got {KvBlocks}.");
        Check(PrefillChunk >= 1, $"--prefill-chunk must be at least 1, got {PrefillChunk}.");
        Check(MaxBodyBytes >= 1024, $"--max-body must be at least 1024 bytes, got {MaxBodyBytes}.");
        Check(MaxTokensLimit is null or >= 1, $"--max-tokens-limit must be at least 1, got {MaxTokensLimit}.");
        Check(RequestTimeout > TimeSpan.Zero, $"--timeout must be positive, got {RequestTimeout.TotalSeconds} s.");
        Check(ApiKeys.All(k => !string.IsNullOrWhiteSpace(k)), "--api-key: empty key.");
        Check(Threads is null or >= 1, $"--threads must be at least 1, got {Threads}.");
        return this;
    }
}
