// Sse: server-sent events as OpenAI streams them — `data: <json>\n\n` per chunk, flushed at once, and
// `data: [DONE]\n\n` at the end.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server.Api;

internal static class Sse
{
    public static void Start(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task Data(HttpResponse response, JsonNode chunk, CancellationToken cancel)
    {
        await response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", cancel);
        await response.Body.FlushAsync(cancel);
    }

    public static async Task Done(HttpResponse response, CancellationToken cancel)
    {
        await response.WriteAsync("data: [DONE]\n\n", cancel);
        await response.Body.FlushAsync(cancel);
    }
}
