// SharpLmServer: the `sharplm serve` process as a library — opens the model (ServedModel), starts the scheduler
// thread, and runs Kestrel with the OpenAI-compatible endpoints. Around every endpoint: 503 once shutdown began,
// Bearer API keys (when configured) on everything but /health and the chat page, the body limit (413), the request
// timeout, errors in OpenAI's JSON shape, and a count per endpoint and status for /metrics. CORS is off unless
// origins are given. Binds to loopback unless told otherwise; port 0 picks a free port (BaseAddress says which).
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharpLM.Server.Api;
using SharpLM.Server.Hosting;
using SharpLM.Tensors.Threading;

namespace SharpLM.Server;

/// <summary>A running OpenAI-compatible server over one model.</summary>
public sealed class SharpLmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServedModel _model;
    private readonly Scheduler _scheduler;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _shuttingDown;
    private bool _disposed;

    private SharpLmServer(WebApplication app, ServedModel model, Scheduler scheduler)
    {
        _app = app; _model = model; _scheduler = scheduler;
    }

    /// <summary>http://host:port/ the server listens on.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The name requests use for the served model.</summary>
    public string ModelName => _model.Name;

    /// <summary>Opens the model and starts listening; throws for bad options or a model that cannot be opened.</summary>
    public static async Task<SharpLmServer> StartAsync(ServerOptions options, CancellationToken cancel = default)
    {
        options.Validate();
        if (options.Threads is { } t) WorkerPool.SetThreads(t);
        var model = new ServedModel(options);
        Scheduler? scheduler = null;
        try
        {
            scheduler = new Scheduler(model, options);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
                k.AddServerHeader = false;
                if (options.Host == "localhost") k.ListenLocalhost(options.Port);
                else if (IPAddress.TryParse(options.Host, out var ip)) k.Listen(ip, options.Port);
                else throw new ArgumentException($"--host '{options.Host}' is not an IP address or 'localhost'.");
            });
            if (options.CorsOrigins.Count > 0)
                builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins]).AllowAnyHeader().AllowAnyMethod()));
            var app = builder.Build();
            var server = new SharpLmServer(app, model, scheduler);
            server.Map(app, new ServerContext(model, scheduler, options, new ServerMetrics()));
            await app.StartAsync(cancel);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
            return server;
        }
        catch
        {
            scheduler?.Dispose();
            model.Dispose();
            throw;
        }
    }

    private void Map(WebApplication app, ServerContext ctx)
    {
        var o = ctx.Options;
        if (o.CorsOrigins.Count > 0) app.UseCors();
        app.Use(async (http, next) =>
        {
            var path = http.Request.Path.Value ?? "/";
            bool open = path == "/health" || path == "/" || path.StartsWith("/ui/", StringComparison.Ordinal);
            if (_shuttingDown) { await Refuse(http, ctx, new ApiError(503, "the server is shutting down.", "unavailable_error", code: "shutting_down") { RetryAfter = 5 }); return; }
            if (!open && o.ApiKeys.Count > 0 && !Authorized(http.Request, o.ApiKeys))
            {
                await Refuse(http, ctx, new ApiError(401, http.Request.Headers.Authorization.Count == 0
                    ? "missing API key: send the header 'Authorization: Bearer <key>'."
                    : "invalid API key.", "invalid_request_error", code: "invalid_api_key"));
                return;
            }
            await next(http);
        });
        void Post(string route, Func<HttpContext, CancellationToken, Task> handler) => app.MapPost(route, (HttpContext h) => Run(h, ctx, route, handler));
        void Get(string route, Func<HttpContext, CancellationToken, Task> handler) => app.MapGet(route, (HttpContext h) => Run(h, ctx, route, handler));
        Post("/v1/chat/completions", (h, c) => ChatCompletionsEndpoint.Handle(h, ctx, c));
        Post("/v1/completions", (h, c) => CompletionsEndpoint.Handle(h, ctx, c));
        Post("/v1/embeddings", (h, c) => EmbeddingsEndpoint.Handle(h, ctx, c));
        Get("/v1/models", (h, _) => SmallEndpoints.Models(h, ctx));
        Post("/tokenize", (h, c) => SmallEndpoints.Tokenize(h, ctx, c));
        Post("/detokenize", (h, c) => SmallEndpoints.Detokenize(h, ctx, c));
        Get("/health", (h, _) => SmallEndpoints.Health(h));
        Get("/metrics", (h, _) => SmallEndpoints.Metrics(h, ctx));
        app.MapGet("/", (HttpContext h) => WebPage.Write(h));
        app.MapFallback((HttpContext h) => Run(h, ctx, "other", (_, _) => throw new ApiError(404, $"no endpoint {h.Request.Method} {h.Request.Path}.", code: "not_found")));
    }

    /// <summary>Runs a handler with the request's cancellation (client gone, timeout, shutdown) and writes ApiErrors in OpenAI's shape.</summary>
    private async Task Run(HttpContext http, ServerContext ctx, string endpoint, Func<HttpContext, CancellationToken, Task> handler)
    {
        using var timeout = new CancellationTokenSource(ctx.Options.RequestTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, timeout.Token, _stopping.Token);
        try
        {
            await handler(http, linked.Token);
        }
        catch (ApiError e)
        {
            if (!http.Response.HasStarted) await e.WriteAsync(http.Response);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !http.Response.HasStarted)
        {
            await new ApiError(408, $"the request ran longer than the server's timeout of {ctx.Options.RequestTimeout.TotalSeconds:0.#} s and was cancelled.", code: "timeout").WriteAsync(http.Response);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client went away (or the server is stopping): the sequences were cancelled and their slots freed.
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            if (!http.Response.HasStarted) await ApiError.BadRequest(e.Message).WriteAsync(http.Response);
        }
        finally
        {
            ctx.Metrics.Request(endpoint, http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted ? 499 : http.Response.StatusCode);
        }
    }

    private static async Task Refuse(HttpContext http, ServerContext ctx, ApiError e)
    {
        await e.WriteAsync(http.Response);
        ctx.Metrics.Request("refused", e.Status);
    }

    private static bool Authorized(HttpRequest request, IReadOnlyList<string> keys)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var given = System.Text.Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        bool ok = false;
        foreach (var k in keys) ok |= System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.UTF8.GetBytes(k));
        return ok;
    }

    /// <summary>From now on every request is answered 503; running ones continue until StopAsync.</summary>
    public void BeginShutdown()
    {
        _shuttingDown = true;
    }

    /// <summary>Whether shutdown began.</summary>
    public bool ShuttingDown => _shuttingDown;

    /// <summary>Waits until <paramref name="cancel"/> fires (Ctrl+C), then shuts down.</summary>
    public async Task RunUntilAsync(CancellationToken cancel)
    {
        try { await Task.Delay(Timeout.Infinite, cancel); }
        catch (OperationCanceledException) { }
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        BeginShutdown();
        _stopping.Cancel();
        _scheduler.Stop();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
    }
}
