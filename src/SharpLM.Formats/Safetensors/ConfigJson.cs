// ConfigJson: loads a Hugging Face config.json (or any checkpoint JSON such as the shard index) as raw JSON,
// with file/parse errors as ModelFormatException; Families.HfConfig maps it onto SharpLM model configs.
using System.Text.Json;

namespace SharpLM.Formats.Safetensors;

/// <summary>Reads Hugging Face <c>config.json</c> files.</summary>
public static class ConfigJson
{
    /// <summary>The root object of <paramref name="path"/> (a config.json, or a folder containing one), detached from its document.</summary>
    public static JsonElement Load(string path)
    {
        path = ModelPath.Resolve(path);
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        if (!ModelPath.FileExists(path)) throw new ModelFormatException(path, "", "file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ModelFormatException.Expected(path, "", "a JSON object", doc.RootElement.ValueKind);
            return doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new ModelFormatException(path, "", $"invalid JSON: {e.Message}", e); }
    }

    /// <summary>The top-level keys of <paramref name="path"/> as a dictionary.</summary>
    public static Dictionary<string, JsonElement> LoadDictionary(string path)
    {
        var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in Load(path).EnumerateObject()) d[p.Name] = p.Value;
        return d;
    }
}
