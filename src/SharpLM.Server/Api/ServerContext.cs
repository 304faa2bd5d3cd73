// ServerContext: what every endpoint handler needs — the served model, the scheduler, the options and the
// metrics — plus the checks handlers share (the request names the served model; room for n sequences or 429).
using SharpLM.Server.Hosting;

namespace SharpLM.Server.Api;

internal sealed class ServerContext(ServedModel model, Scheduler scheduler, ServerOptions options, ServerMetrics metrics)
{
    public ServedModel Model { get; } = model;
    public Scheduler Scheduler { get; } = scheduler;
    public ServerOptions Options { get; } = options;
    public ServerMetrics Metrics { get; } = metrics;

    /// <summary>404 unless the request's "model" (when given) is the served model's name.</summary>
    public void CheckModel(RequestJson json)
    {
        if (json.String("model") is { } name && name != Model.Name)
            throw new ApiError(404, $"the model '{name}' does not exist: this server serves only '{Model.Name}'.", "invalid_request_error", "model", "model_not_found");
    }

    /// <summary>Reserves room for <paramref name="count"/> sequences, or 429 with Retry-After.</summary>
    public void Admit(int count)
    {
        if (!Scheduler.TryAdmit(count))
            throw new ApiError(429, $"the server is busy: {Options.Parallel} sequences run and at most {Options.MaxQueue} wait; retry later.", "server_busy", code: "rate_limit_exceeded") { RetryAfter = 1 };
    }
}
