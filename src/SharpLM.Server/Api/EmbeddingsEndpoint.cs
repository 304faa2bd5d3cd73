// EmbeddingsEndpoint: POST /v1/embeddings. Each input (a string, an array of strings, an array of token ids or
// an array of such arrays) is run through the model in a free cache slot on the scheduler thread; its embedding
// is the mean over positions of the final hidden states (after the output norm), scaled to unit L2 norm as
// OpenAI's and llama.cpp's embeddings are. "encoding_format": "base64" gives the little-endian float32 bytes.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SharpLM.Server.Api;

internal static class EmbeddingsEndpoint
{
    private static readonly HashSet<string> Known = ["input", "model", "encoding_format", "dimensions", "user"];

    public static async Task Handle(HttpContext http, ServerContext s, CancellationToken cancel)
    {
        var json = await RequestJson.ReadAsync(http.Request, cancel);
        json.OnlyKnown(Known);
        s.CheckModel(json);
        if (json.Has("dimensions")) throw ApiError.BadRequest("'dimensions' is not supported: the embedding has the model's hidden size.", "dimensions");
        string format = json.String("encoding_format") ?? "float";
        if (format is not ("float" or "base64")) throw ApiError.BadRequest($"'encoding_format' must be \"float\" or \"base64\", got \"{format}\".", "encoding_format");
        if (s.Model.Lm is not SharpLM.Inference.Engine.DecoderEngine)
            throw ApiError.BadRequest($"embeddings need the inference engine; '{s.Model.Name}' runs on the reference model ({s.Model.Opened.EngineRefusal}).", "model");
        var inputs = Inputs(json, s);
        int ctx = s.Model.Lm.ContextLength;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length == 0) throw ApiError.BadRequest($"input {i} is empty.", "input");
            if (inputs[i].Length > ctx) throw ApiError.BadRequest($"input {i} has {inputs[i].Length} tokens; the context holds {ctx}.", "input");
        }
        s.Admit(1);
        var data = new JsonArray();
        try
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                var e = await s.Scheduler.EmbedAsync(inputs[i]).WaitAsync(cancel);
                float norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(e));
                if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(e, norm, e);
                JsonNode vector = format == "base64"
                    ? JsonValue.Create(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.AsSpan())))
                    : new JsonArray(e.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
                data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = vector });
            }
        }
        finally { s.Scheduler.Release(1); }
        int tokens = inputs.Sum(x => x.Length);
        await SmallEndpoints.Json(http, new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["model"] = s.Model.Name,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        });
    }

    private static List<int[]> Inputs(RequestJson json, ServerContext s)
    {
        var tok = s.Model.Tokenizer;
        int vocab = s.Model.Lm.VocabSize;
        const string Expected = "'input' must be a string, an array of strings, an array of token ids or an array of such arrays.";
        int[] Checked(int[] ids)
        {
            foreach (var id in ids)
                if (id < 0 || id >= vocab) throw ApiError.BadRequest($"input token {id} is outside the vocabulary [0, {vocab}).", "input");
            return ids;
        }
        if (json.Get("input") is not { } v) throw ApiError.BadRequest("'input' is required.", "input");
        if (v.ValueKind == JsonValueKind.String) return [tok.Encode(v.GetString()!)];
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0) throw ApiError.BadRequest(Expected, "input");
        if (RequestJson.Ints(v) is { } one) return [Checked(one)];
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? tok.Encode(e.GetString()!)
            : RequestJson.Ints(e) is { } ids ? Checked(ids) : throw ApiError.BadRequest(Expected, "input")).ToList();
    }
}
