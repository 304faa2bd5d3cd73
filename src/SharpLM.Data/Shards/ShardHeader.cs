// ShardHeader: the JSON that sits beside each token shard (shard_00000.bin + shard_00000.json, as nanoGPT /
// llm.c keep raw token files): tokenizer name, dtype (uint16 when every id fits, else uint32), token count,
// the offsets where documents start, and how many input documents all shards up to this one consumed (so an
// interrupted run resumes after the last complete shard without duplicating output).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpLM.Data.Shards;

/// <summary>Metadata of one token shard.</summary>
public sealed record ShardHeader
{
    [JsonPropertyName("format")] public string Format { get; init; } = "sharplm-token-shard/1";
    [JsonPropertyName("tokenizer")] public required string Tokenizer { get; init; }
    [JsonPropertyName("dtype")] public required string DType { get; init; }
    [JsonPropertyName("token_count")] public required long TokenCount { get; init; }
    [JsonPropertyName("eos_id")] public int EosId { get; init; }
    [JsonPropertyName("document_starts")] public required long[] DocumentStarts { get; init; }
    [JsonPropertyName("documents_consumed")] public required long DocumentsConsumed { get; init; }

    public static ShardHeader Read(string path)
    {
        try { return JsonSerializer.Deserialize<ShardHeader>(File.ReadAllText(path)) ?? throw new FormatException($"{path}: empty shard header."); }
        catch (JsonException e) { throw new FormatException($"{path}: not a shard header ({e.Message}).", e); }
    }

    public int BytesPerToken => DType switch
    {
        "uint16" => 2, "uint32" => 4, _ => throw new FormatException($"shard header: dtype '{DType}' is not uint16 or uint32."),
    };
}
