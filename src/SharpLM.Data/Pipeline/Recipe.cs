// Recipe: the JSON description of a data run (inputs, output, report, ordered stages). Unknown stage types and
// missing fields fail with the recipe path and the field named.
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpLM.Data.IO;

namespace SharpLM.Data.Pipeline;

public sealed record StageSpec
{
    /// <summary>language | gopher | keywords | perplexity | scrub | exact_dedup | line_dedup | minhash</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("allow")] public string[]? Allow { get; init; }
    [JsonPropertyName("words")] public string[]? Words { get; init; }
    [JsonPropertyName("arpa")] public string? Arpa { get; init; }
    [JsonPropertyName("max")] public double? Max { get; init; }
    [JsonPropertyName("min")] public double? Min { get; init; }
    [JsonPropertyName("shingle")] public int? Shingle { get; init; }
    [JsonPropertyName("bands")] public int? Bands { get; init; }
    [JsonPropertyName("rows")] public int? Rows { get; init; }
    [JsonPropertyName("threshold")] public double? Threshold { get; init; }
    [JsonPropertyName("min_words")] public int? MinWords { get; init; }
}

public sealed record Recipe
{
    [JsonPropertyName("inputs")] public string[] Inputs { get; init; } = [];
    [JsonPropertyName("output")] public string? Output { get; init; }
    [JsonPropertyName("report")] public string? Report { get; init; }
    [JsonPropertyName("txt_mode")] public TxtMode TxtMode { get; init; } = TxtMode.Paragraph;
    [JsonPropertyName("text_field")] public string TextField { get; init; } = "text";
    [JsonPropertyName("threads")] public int Threads { get; init; } = 2;
    [JsonPropertyName("stages")] public StageSpec[] Stages { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads a recipe; relative paths are resolved against the recipe's folder.</summary>
    public static Recipe Load(string path)
    {
        Recipe r;
        try { r = JsonSerializer.Deserialize<Recipe>(File.ReadAllText(path), Json) ?? throw new JsonException("empty recipe"); }
        catch (JsonException e) { throw new FormatException($"{path}: {e.Message}", e); }
        if (r.Inputs.Length == 0) throw new FormatException($"{path}: 'inputs' must list at least one file.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Abs(string p) => Path.IsPathRooted(p) ? p : Path.Combine(dir, p);
        return r with
        {
            Inputs = r.Inputs.Select(Abs).ToArray(),
            Output = r.Output is null ? null : Abs(r.Output),
            Report = r.Report is null ? null : Abs(r.Report),
            Stages = r.Stages.Select(s => s.Arpa is null ? s : s with { Arpa = Abs(s.Arpa) }).ToArray(),
        };
    }
}
