// ServerHarness: a real SharpLmServer on an ephemeral loopback port over TinyServedModel, with an HttpClient and
// the helpers the tests share — posting JSON, reading an SSE stream's data lines, reading /metrics values, and
// checking OpenAI's error shape.
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace SharpLM.Server.Tests;

public sealed class ServerHarness : IAsyncDisposable
{
    public SharpLmServer Server { get; }
    public HttpClient Http { get; }

    private ServerHarness(SharpLmServer server, string? key)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (key is not null) Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
    }

    public static async Task<ServerHarness> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, string? clientKey = null)
    {
        var options = new ServerOptions { ModelPath = TinyServedModel.Path, Port = 0, Parallel = 8, Threads = null };
        if (configure is not null) options = configure(options);
        return new ServerHarness(await SharpLmServer.StartAsync(options), clientKey);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, string json)
    {
        var r = await Http.PostAsync(path, Json(json));
        string text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length > 0 && r.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(text) : null, r);
    }

    /// <summary>The JSON of every `data:` line of an SSE body (without the final [DONE], which must be last).</summary>
    public static List<JsonNode> SseChunks(string body)
    {
        var lines = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", lines[^1].Trim());
        return lines[..^1].Select(l =>
        {
            Assert.StartsWith("data: ", l);
            return JsonNode.Parse(l["data: ".Length..])!;
        }).ToList();
    }

    /// <summary>The value of an unlabelled metric in /metrics.</summary>
    public async Task<double> MetricAsync(string name)
    {
        string text = await Http.GetStringAsync("metrics");
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        throw new Xunit.Sdk.XunitException($"metric {name} not in /metrics:\n{text}");
    }

    /// <summary>Asserts OpenAI's error shape and status; returns the message.</summary>
    public static string AssertError(HttpStatusCode expected, HttpStatusCode status, JsonNode? body)
    {
        Assert.Equal(expected, status);
        Assert.NotNull(body);
        var e = body!["error"]!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace((string?)e["message"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)e["type"]));
        Assert.True(e.ContainsKey("param") && e.ContainsKey("code"), "error lacks param/code: " + body.ToJsonString());
        return (string)e["message"]!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
