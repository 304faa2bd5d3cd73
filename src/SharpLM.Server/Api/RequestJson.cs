// RequestJson: reading a request body as JSON under the server's limits, and typed access to its fields that
// names the field and what was expected when a value has the wrong type or range (400 in OpenAI's shape).
// Unknown top-level fields are refused by name: a field the server does not understand could change the answer.
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server.Api;

/// <summary>A parsed JSON request body with checked field access.</summary>
internal sealed class RequestJson(JsonElement root)
{
    public JsonElement Root { get; } = root;

    /// <summary>Reads the body (413 over the limit, 400 when it is not a JSON object).</summary>
    public static async Task<RequestJson> ReadAsync(HttpRequest request, CancellationToken cancel)
    {
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancel);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiError(413, $"request body too large: the server accepts at most {request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes.", code: "request_too_large");
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"the request body must be a JSON object, got {doc.RootElement.ValueKind}.");
            return new RequestJson(doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"malformed JSON in the request body: {e.Message}");
        }
    }

    /// <summary>400 naming every top-level field not in <paramref name="known"/>.</summary>
    public void OnlyKnown(IReadOnlySet<string> known)
    {
        var unknown = Root.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0) throw ApiError.BadRequest($"unsupported field(s): {string.Join(", ", unknown)}.", unknown[0]);
    }

    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw ApiError.BadRequest($"'{name}' must be a string, got {v.ValueKind}.", name)
        : null;

    public bool? Bool(string name) => Get(name) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw ApiError.BadRequest($"'{name}' must be true or false, got {v.ValueKind}.", name)
        : null;

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= min && i <= max ? i
          : throw ApiError.BadRequest($"'{name}' must be an integer in [{min}, {max}], got {v.GetRawText()}.", name)
        : null;

    public long? Long(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long i) ? i : throw ApiError.BadRequest($"'{name}' must be an integer, got {v.GetRawText()}.", name)
        : null;

    public float? Float(string name) => Get(name) is { } v
        ? v.ValueKind == JsonValueKind.Number && float.IsFinite(v.GetSingle()) ? v.GetSingle() : throw ApiError.BadRequest($"'{name}' must be a number, got {v.GetRawText()}.", name)
        : null;

    /// <summary>A string or an array of strings (OpenAI's `stop`); empty when absent.</summary>
    public string[] Strings(string name)
    {
        if (Get(name) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            return v.EnumerateArray().Select(e => e.GetString()!).ToArray();
        throw ApiError.BadRequest($"'{name}' must be a string or an array of strings.", name);
    }

    /// <summary>An array of integers (token ids), or null when the element is not one.</summary>
    public static int[]? Ints(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array) return null;
        var ids = new List<int>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int i)) return null;
            ids.Add(i);
        }
        return ids.ToArray();
    }
}
