// HfConfigReader: typed access to one Hugging Face config.json that remembers which keys were read, so a
// family mapping can end with RejectUnread(): every key the mapping did not read, and that is not a generic
// PretrainedConfig/generation attribute known not to change the numbers (HfGenericKeys), is an error naming
// it. A config key SharpLM does not understand can therefore never load silently with the wrong numbers.
using System.Text.Json;

namespace SharpLM.Models.Families.Hf;

/// <summary>Reads keys of a config.json and tracks which ones were consumed.</summary>
public sealed class HfConfigReader
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public HfConfigReader(JsonElement root, string source, string architecture)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"{source}: expected a JSON object, found {root.ValueKind}.");
        Root = root; Source = source; Architecture = architecture;
    }

    /// <summary>The parsed config.</summary>
    public JsonElement Root { get; }
    /// <summary>The file (or description) errors name.</summary>
    public string Source { get; }
    /// <summary>The architecture being mapped (named in errors).</summary>
    public string Architecture { get; }

    /// <summary>Whether the key is present and not JSON null (null means "unset" in transformers).</summary>
    public bool Has(string key) => Root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The raw value, marking the key read; null when absent or JSON null.</summary>
    public JsonElement? Raw(string key)
    {
        _read.Add(key);
        return Root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public int Int(string key) => Raw(key) is { } v ? AsInt(key, v) : throw new FormatException($"{Source}: required integer key '{key}' is missing for {Architecture}.");
    public int Int(string key, int fallback) => Raw(key) is { } v ? AsInt(key, v) : fallback;
    public int? IntOrNull(string key) => Raw(key) is { } v ? AsInt(key, v) : null;
    public float Float(string key, float fallback) => Raw(key) is { } v ? AsFloat(key, v) : fallback;
    public float? FloatOrNull(string key) => Raw(key) is { } v ? AsFloat(key, v) : null;
    public bool Bool(string key, bool fallback) => Raw(key) is { } v ? AsBool(key, v) : fallback;
    public string String(string key, string fallback) => Raw(key) is { } v ? AsString(key, v) : fallback;
    public string? StringOrNull(string key) => Raw(key) is { } v ? AsString(key, v) : null;

    /// <summary>Marks keys as understood without reading them (training-only knobs, informational fields).</summary>
    public void Accept(params string[] keys) { foreach (var k in keys) _read.Add(k); }

    /// <summary>Throws naming a key that is neither read by the mapping nor a known-harmless generic attribute.</summary>
    public void RejectUnread()
    {
        foreach (var p in Root.EnumerateObject())
        {
            if (_read.Contains(p.Name) || HfGenericKeys.IsHarmless(p.Name)) continue;
            throw new FormatException($"{Source}: key '{p.Name}' is not understood for {Architecture}; it may change the model's numbers, so the config is refused rather than loaded without it.");
        }
    }

    /// <summary>An error naming a key whose value is not supported.</summary>
    public FormatException Unsupported(string key, string found, string expected) =>
        new($"{Source}: {key} {found} is not supported for {Architecture} (expected {expected}).");

    private int AsInt(string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Wrong(key, "an integer", v);
    private float AsFloat(string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw Wrong(key, "a number", v);
    private bool AsBool(string key, JsonElement v) =>
        v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Wrong(key, "true or false", v);
    private string AsString(string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Wrong(key, "a string", v);

    private FormatException Wrong(string key, string expected, JsonElement v) =>
        new($"{Source}: key '{key}' should be {expected}, found {v.ValueKind} {v.GetRawText()}.");
}
