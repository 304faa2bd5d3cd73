// ConfigEnumConverter: reads and writes an enum of a training config as one of a fixed set of lower-case
// names ("adamw", "wsd", "bpe"; the model section's "llama", "swiglu"…); any other string is an error that
// lists the allowed names (the loader adds the field). Enums in code, strings in JSON and on the command line.
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpLM.Training.Data;
using SharpLM.Training.Schedules;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Pretraining;

/// <summary>Name table of one config enum.</summary>
public class ConfigEnumConverter<T>(params (string Name, T Value)[] names) : JsonConverter<T> where T : struct, Enum
{
    /// <summary>The names accepted in JSON.</summary>
    public IEnumerable<string> Names => names.Select(n => n.Name);

    /// <summary>The value named <paramref name="s"/>, if it is one of <see cref="Names"/>.</summary>
    public bool TryParse(string s, out T value)
    {
        foreach (var (name, v) in names) if (name == s) { value = v; return true; }
        value = default;
        return false;
    }

    /// <summary>The config name of <paramref name="value"/>.</summary>
    public string NameOf(T value)
    {
        foreach (var (name, v) in names) if (EqualityComparer<T>.Default.Equals(v, value)) return name;
        throw new JsonException($"{typeof(T).Name}.{value} has no config name.");
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a string, one of {string.Join(", ", Names)}.");
        string s = reader.GetString()!;
        if (TryParse(s, out var value)) return value;
        throw new JsonException($"unknown value '{s}' (allowed: {string.Join(", ", Names)}).");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(NameOf(value));
}

/// <summary>"adamw" | "sgd".</summary>
public sealed class OptimizerKindConverter() : ConfigEnumConverter<OptimizerKind>(("adamw", OptimizerKind.AdamW), ("sgd", OptimizerKind.Sgd));

/// <summary>"cosine" | "linear" | "constant" | "wsd".</summary>
public sealed class DecayKindConverter() : ConfigEnumConverter<DecayKind>(
    ("cosine", DecayKind.Cosine), ("linear", DecayKind.Linear), ("constant", DecayKind.Constant), ("wsd", DecayKind.WarmupStableDecay));

/// <summary>"char" | "bpe".</summary>
public sealed class TokenizerKindConverter() : ConfigEnumConverter<TokenizerKind>(("char", TokenizerKind.Char), ("bpe", TokenizerKind.Bpe));
