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

    /// <summary>Throws naming <paramref name="where"/> and the field when a number is out of its range (a minhash stage
    /// with `bands: 0` has no band to bucket by).</summary>
    public void Check(string where)
    {
        void AtLeast(int? v, int min, string field) { if (v < min) throw new FormatException($"{where}: '{field}' must be at least {min}, got {v}."); }
        AtLeast(Shingle, 1, "shingle");
        AtLeast(Bands, 1, "bands");
        AtLeast(Rows, 1, "rows");
        AtLeast(MinWords, 0, "min_words");
        if (Threshold is { } t && !(t > 0 && t <= 1)) throw new FormatException($"{where}: 'threshold' must be in (0, 1], got {t}.");
        if (Type == "perplexity" && Max is { } m && !(m > 0)) throw new FormatException($"{where}: 'max' must be greater than 0, got {m}.");
    }
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
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected a JSON recipe file (inputs, output, report, stages).");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected a JSON recipe (inputs, output, report, stages).", path);
        Recipe r;
        try { r = JsonSerializer.Deserialize<Recipe>(File.ReadAllText(path), Json) ?? throw new JsonException("empty recipe"); }
        catch (JsonException e) { throw new FormatException($"{path}: {e.Message}", e); }
        if (r.Inputs.Length == 0) throw new FormatException($"{path}: 'inputs' must list at least one file.");
        for (int i = 0; i < r.Stages.Length; i++) r.Stages[i].Check($"{path}: stages[{i}] ({r.Stages[i].Type})");
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
