// LoraConfigFields: reads an adapter_config.json object under PEFT's field names with one rule for every method —
// a field this method implements is read with its type checked; a field that never changes the numbers (names,
// versions, task type) is accepted whatever its value; a field of a PEFT feature SharpLM does not implement is accepted
// only at its "off" value (null, false, empty); anything else stops the load naming the field.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpLM.Models.Peft;

/// <summary>Typed, checked access to one adapter_config.json object.</summary>
public sealed class LoraConfigFields
{
    /// <summary>Fields every PEFT config carries that do not change the numbers.</summary>
    public static readonly string[] Generic =
        ["peft_type", "base_model_name_or_path", "revision", "task_type", "inference_mode", "peft_version", "auto_mapping"];

    private readonly JsonObject _json;
    private readonly string _method;

    public LoraConfigFields(JsonObject json, string method) { _json = json; _method = method; }

    private ArgumentException Bad(string field, string expected, JsonNode? found) =>
        new($"adapter_config.json: {_method} field '{field}': expected {expected}, found {found?.ToJsonString() ?? "null"}.");

    /// <summary>A JSON number as double, whether parsed from text or built from a CLR int, long, float or double.</summary>
    private static double AsDouble(JsonValue v) =>
        v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<float>(out var f) ? f : v.TryGetValue<decimal>(out var m) ? (double)m : throw new ArgumentException($"adapter_config.json: {v.ToJsonString()} is not a number.");

    /// <summary>True when the field is absent or null.</summary>
    public bool IsNull(string field) => _json[field] is null;

    public int Int(string field, int fallback)
    {
        var n = _json[field];
        if (n is null) return fallback;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int i)) return i;
        if (n is JsonValue d && d.GetValueKind() == JsonValueKind.Number && AsDouble(d) is var x && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue) return (int)x;
        throw Bad(field, "an integer", n);
    }

    public double Number(string field, double fallback)
    {
        var n = _json[field];
        if (n is null) return fallback;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return AsDouble(v);
        throw Bad(field, "a number", n);
    }

    public bool Bool(string field, bool fallback)
    {
        var n = _json[field];
        if (n is null) return fallback;
        if (n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
        throw Bad(field, "true or false", n);
    }

    public string? String(string field)
    {
        var n = _json[field];
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw Bad(field, "a string", n);
    }

    /// <summary>A field PEFT types as "list of str or str" (target_modules and kin): null, a list, or a regex string.</summary>
    public NameSelector? Selector(string field)
    {
        var n = _json[field];
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return NameSelector.FromRegex(v.GetValue<string>());
        if (n is JsonArray a && a.All(e => e is JsonValue ev && ev.GetValueKind() == JsonValueKind.String))
            return NameSelector.FromList(a.Select(e => e!.GetValue<string>()).ToArray());
        throw Bad(field, "a list of module names or a regular expression string", n);
    }

    /// <summary>A list of strings, or a single string as a one-element list.</summary>
    public string[]? StringOrList(string field)
    {
        var n = _json[field];
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.String) return [v.GetValue<string>()];
        if (n is JsonArray a && a.All(e => e is JsonValue ev && ev.GetValueKind() == JsonValueKind.String)) return a.Select(e => e!.GetValue<string>()).ToArray();
        throw Bad(field, "a string or a list of strings", n);
    }

    /// <summary>An int or a list of ints (layers_to_transform).</summary>
    public int[]? IntOrList(string field)
    {
        var n = _json[field];
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return [Int(field, 0)];
        if (n is JsonArray a && a.All(e => e is JsonValue ev && ev.GetValueKind() == JsonValueKind.Number && ev.TryGetValue<int>(out _)))
            return a.Select(e => e!.GetValue<int>()).ToArray();
        throw Bad(field, "an integer or a list of integers", n);
    }

    /// <summary>A {pattern: number} map (rank_pattern, alpha_pattern), in file order.</summary>
    public List<(string Pattern, double Value)> PatternMap(string field)
    {
        var n = _json[field];
        if (n is null) return [];
        if (n is not JsonObject o) throw Bad(field, "an object mapping module patterns to numbers", n);
        var list = new List<(string, double)>();
        foreach (var (k, val) in o)
        {
            if (val is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) throw Bad($"{field}.{k}", "a number", val);
            list.Add((k, AsDouble(v)));
        }
        return list;
    }

    /// <summary>
    /// Checks every field of the object: <paramref name="implemented"/> and <see cref="Generic"/> fields pass; a field of
    /// <paramref name="offOnly"/> passes only at its off value (null, false, 0-length list or object, "" ); anything else
    /// is an error naming the field.
    /// </summary>
    public void CheckFields(IEnumerable<string> implemented, IEnumerable<string> inert, IEnumerable<string> offOnly)
    {
        var ok = new HashSet<string>(implemented.Concat(inert).Concat(Generic), StringComparer.Ordinal);
        var off = new HashSet<string>(offOnly, StringComparer.Ordinal);
        foreach (var (name, value) in _json)
        {
            if (ok.Contains(name)) continue;
            if (off.Contains(name))
            {
                if (IsOff(value)) continue;
                throw new ArgumentException($"adapter_config.json: {_method} field '{name}' = {value!.ToJsonString()} is not supported by SharpLM (only its off value: null/false/empty).");
            }
            throw new ArgumentException($"adapter_config.json: unknown {_method} field '{name}' (it may change the numbers, so the load stops).");
        }
    }

    private static bool IsOff(JsonNode? v) => v switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue x when x.GetValueKind() == JsonValueKind.False => true,
        JsonValue x when x.GetValueKind() == JsonValueKind.String => x.GetValue<string>().Length == 0,
        _ => false,
    };
}
