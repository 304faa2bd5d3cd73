// ApiError: a request the server refuses, as OpenAI's error JSON ({"error": {"message", "type", "param", "code"}})
// with its HTTP status. Handlers throw it; the endpoint wrapper (Endpoints.Run) writes it. Retry-After goes with 429 and 503.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server.Api;

/// <summary>An error answered in OpenAI's shape.</summary>
public sealed class ApiError(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Seconds a client should wait before retrying (429, 503).</summary>
    public int? RetryAfter { get; init; }

    public static ApiError BadRequest(string message, string? param = null) => new(400, message, param: param);

    public JsonObject ToJson() => new()
    {
        ["error"] = new JsonObject { ["message"] = Message, ["type"] = Type, ["param"] = Param, ["code"] = Code },
    };

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (RetryAfter is { } s) response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "application/json";
        await response.WriteAsync(ToJson().ToJsonString());
    }
}
