// SmallEndpoints: the endpoints without generation — GET /v1/models (the one served model), POST /tokenize and
// /detokenize (llama.cpp server's shapes: {"content"} → {"tokens"}, {"tokens"} → {"content"}), GET /health and
// GET /metrics (Prometheus text).
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server.Api;

internal static class SmallEndpoints
{
    public static Task Models(HttpContext http, ServerContext s) => Json(http, new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray(new JsonObject
        {
            ["id"] = s.Model.Name, ["object"] = "model", ["created"] = s.Model.Created, ["owned_by"] = "sharplm",
            ["meta"] = new JsonObject { ["n_ctx"] = s.Model.Lm.ContextLength, ["n_vocab"] = s.Model.Lm.VocabSize, ["parallel"] = s.Options.Parallel },
        }),
    });

    public static async Task Tokenize(HttpContext http, ServerContext s, CancellationToken cancel)
    {
        var json = await RequestJson.ReadAsync(http.Request, cancel);
        json.OnlyKnown(new HashSet<string> { "content", "model", "with_pieces" });
        s.CheckModel(json);
        string content = json.String("content") ?? throw ApiError.BadRequest("'content' (a string) is required.", "content");
        var ids = s.Model.Tokenizer.Encode(content);
        var tokens = new JsonArray();
        foreach (var id in ids)
            tokens.Add(json.Bool("with_pieces") == true ? new JsonObject { ["id"] = id, ["piece"] = s.Model.Tokenizer.Decode([id]) } : JsonValue.Create(id));
        await Json(http, new JsonObject { ["tokens"] = tokens });
    }

    public static async Task Detokenize(HttpContext http, ServerContext s, CancellationToken cancel)
    {
        var json = await RequestJson.ReadAsync(http.Request, cancel);
        json.OnlyKnown(new HashSet<string> { "tokens", "model" });
        s.CheckModel(json);
        var ids = json.Get("tokens") is { } t ? RequestJson.Ints(t) : null;
        if (ids is null) throw ApiError.BadRequest("'tokens' must be an array of token ids.", "tokens");
        int vocab = s.Model.Tokenizer.VocabSize;
        foreach (var id in ids)
            if (id < 0 || id >= vocab) throw ApiError.BadRequest($"token {id} is outside the vocabulary [0, {vocab}).", "tokens");
        await Json(http, new JsonObject { ["content"] = s.Model.Tokenizer.Decode(ids) });
    }

    public static Task Health(HttpContext http) => Json(http, new JsonObject { ["status"] = "ok" });

    public static async Task Metrics(HttpContext http, ServerContext s)
    {
        http.Response.ContentType = "text/plain; version=0.0.4";
        await http.Response.WriteAsync(s.Metrics.Render(s.Scheduler.Current));
    }

    public static async Task Json(HttpContext http, JsonNode body)
    {
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }
}
