// PeftConfigFields: reads an adapter_config.json object field by field with PEFT's names and types, and at the end
// rejects every field nobody read — a field SharpLM does not understand could change the numbers, so it stops the
// load with its name. Fields of PEFT's base PeftConfig that never change the numbers (where the base model came
// from, the PEFT version, inference_mode) are accepted here once for every method.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpLM.Models.Peft;

/// <summary>A typed, strict view of one adapter_config.json object.</summary>
public sealed class PeftConfigFields
{
    private readonly JsonObject _o;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="config"/>; its peft_type must be <paramref name="peftType"/> and task_type CAUSAL_LM (or absent).</summary>
    public PeftConfigFields(JsonObject config, string peftType)
    {
        _o = config;
        var type = String("peft_type");
        if (type != peftType) throw new ArgumentException($"adapter_config.json: peft_type '{type}', expected '{peftType}'.");
        var task = String("task_type");
        if (task is not null && task != "CAUSAL_LM")
            throw new ArgumentException($"adapter_config.json: task_type '{task}' is not supported (SharpLM adapts causal language models: CAUSAL_LM).");
        // PeftConfig's fields that say where the adapter came from, not what it computes.
        Ignore("base_model_name_or_path", "revision", "inference_mode", "auto_mapping", "peft_version");
    }

    /// <summary>The base PeftConfig fields of an adapter_config.json SharpLM writes (PEFT saves with inference_mode true).</summary>
    public static JsonObject NewConfig(string peftType) => new()
    {
        ["peft_type"] = peftType, ["task_type"] = "CAUSAL_LM", ["inference_mode"] = true,
        ["base_model_name_or_path"] = null, ["revision"] = null, ["auto_mapping"] = null,
    };

    /// <summary>Marks fields that do not change the numbers as understood.</summary>
    public void Ignore(params string[] names) { foreach (var n in names) _read.Add(n); }

    /// <summary>True when <paramref name="name"/> is present and not null.</summary>
    public bool Has(string name) => _o.TryGetPropertyValue(name, out var v) && v is not null;

    private JsonNode? Node(string name) { _read.Add(name); return _o.TryGetPropertyValue(name, out var v) ? v : null; }

    private static ArgumentException Bad(string name, string expected, JsonNode node) =>
        new($"adapter_config.json: field '{name}' must be {expected}, got {node.ToJsonString()}.");

    public string? String(string name, string? fallback = null)
    {
        var n = Node(name);
        if (n is null) return fallback;
        return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(name, "a string", n);
    }

    public int? Int(string name)
    {
        var n = Node(name);
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i)) return i;
        if (n is JsonValue w && w.TryGetValue<int>(out int j)) return j;
        throw Bad(name, "an integer", n);
    }

    /// <summary>A required positive integer.</summary>
    public int PositiveInt(string name) =>
        Int(name) is int i && i > 0 ? i : throw new ArgumentException($"adapter_config.json: field '{name}' must be a positive integer{(Has(name) ? $", got {_o[name]!.ToJsonString()}" : " (missing)")}.");

    public double? Double(string name)
    {
        var n = Node(name);
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number) return e.GetDouble();
        if (n is JsonValue w && w.TryGetValue<double>(out double d)) return d;
        throw Bad(name, "a number", n);
    }

    public bool? Bool(string name)
    {
        var n = Node(name);
        if (n is null) return null;
        return n is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw Bad(name, "true or false", n);
    }

    /// <summary>A string or a list of strings (PEFT's target_modules form); null when absent.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        var n = Node(name);
        if (n is null) return null;
        if (n is JsonValue v && v.TryGetValue<string>(out var s)) return [s];
        if (n is JsonArray a && a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _))) return a.Select(x => x!.GetValue<string>()).ToList();
        throw Bad(name, "a string or a list of strings", n);
    }

    /// <summary>A field SharpLM supports only when it is null or empty (e.g. modules_to_save): anything else is an error naming it.</summary>
    public void RequireEmpty(string name, string why)
    {
        var n = Node(name);
        if (n is null || n is JsonArray { Count: 0 }) return;
        throw new ArgumentException($"adapter_config.json: field '{name}' = {n.ToJsonString()} is not supported ({why}).");
    }

    /// <summary>An optional integer that must equal what the base model implies (an adapter for another base is an error).</summary>
    public int MatchInt(string name, int expected, string what)
    {
        var v = Int(name);
        if (v is int i && i != expected)
            throw new ArgumentException($"adapter_config.json: {name} = {i}, but the base model's {what} is {expected} (an adapter for another base model).");
        return expected;
    }

    /// <summary>Throws naming every field that was not read.</summary>
    public void Done()
    {
        var unknown = _o.Select(p => p.Key).Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"adapter_config.json: unknown field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} for peft_type '{_o["peft_type"]}' (it could change the numbers; SharpLM does not read it).");
    }
}
