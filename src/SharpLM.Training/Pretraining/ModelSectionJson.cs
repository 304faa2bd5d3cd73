// ModelSectionJson: the "model" object of a pretraining config <-> ModelSection, by an explicit table of
// snake_case keys (no reflection: a key not in the table is an error naming it; an enum takes one of its
// listed names). Also moves the old flat keys (dim, layers, …, context, dropout) of configs written before the
// model section existed into it, refusing a config that sets one thing both ways.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Training.Pretraining;

/// <summary>JSON form of <see cref="ModelSection"/>.</summary>
public static class ModelSectionJson
{
    private sealed record Field(string Key, bool Shape, Func<ModelSection, JsonNode?> Get, Func<ModelSection, JsonNode, ModelSection> Set);

    private static readonly ConfigEnumConverter<ModelFamily> Families = new(("gpt2", ModelFamily.Gpt2), ("llama", ModelFamily.Llama), ("baichuan", ModelFamily.Baichuan));
    private static readonly ConfigEnumConverter<NormKind> Norms = new(("layer_norm", NormKind.LayerNorm), ("rms_norm", NormKind.RmsNorm));
    private static readonly ConfigEnumConverter<PositionKind> PositionNames = new(("learned", PositionKind.Learned), ("rotary", PositionKind.Rotary),
        ("alibi", PositionKind.Alibi), ("sinusoidal", PositionKind.Sinusoidal), ("none", PositionKind.None));
    private static readonly ConfigEnumConverter<MlpKind> Mlps = new(("gelu", MlpKind.Gelu), ("gelu_tanh", MlpKind.GeluTanh), ("relu", MlpKind.Relu), ("swiglu", MlpKind.SwiGlu));
    private static readonly ConfigEnumConverter<SharpLM.Tensors.RopeLayout> Layouts = new(("halves", SharpLM.Tensors.RopeLayout.Halves), ("pairs", SharpLM.Tensors.RopeLayout.Pairs));

    // Shape = must agree with an init_from file. Not shape: the run's context and training-only switches.
    private static readonly Field[] Fields =
    [
        new("family", true, s => Name(Families, s.Family), (s, v) => s with { Family = Enum(Families, "family", v) }),
        new("vocab_size", true, s => Num(s.VocabSize), (s, v) => s with { VocabSize = Int("vocab_size", v) }),
        new("dim", true, s => Num(s.Dim), (s, v) => s with { Dim = Int("dim", v) }),
        new("layers", true, s => Num(s.Layers), (s, v) => s with { Layers = Int("layers", v) }),
        new("heads", true, s => Num(s.Heads), (s, v) => s with { Heads = Int("heads", v) }),
        new("kv_heads", true, s => Num(s.KvHeads), (s, v) => s with { KvHeads = Int("kv_heads", v) }),
        new("ffn_dim", true, s => Num(s.FfnDim), (s, v) => s with { FfnDim = Int("ffn_dim", v) }),
        new("max_positions", false, s => Num(s.MaxPositions), (s, v) => s with { MaxPositions = Int("max_positions", v) }),
        new("norm", true, s => Name(Norms, s.Norm), (s, v) => s with { Norm = Enum(Norms, "norm", v) }),
        new("norm_eps", true, s => Num(s.NormEps), (s, v) => s with { NormEps = Float("norm_eps", v) }),
        new("pre_norm", true, s => Num(s.PreNorm), (s, v) => s with { PreNorm = Bool("pre_norm", v) }),
        new("positions", true, s => Name(PositionNames, s.Positions), (s, v) => s with { Positions = Enum(PositionNames, "positions", v) }),
        new("rope_theta", true, s => Num(s.RopeTheta), (s, v) => s with { RopeTheta = Float("rope_theta", v) }),
        new("rope_scaling", true, s => Num(s.RopeScaling), (s, v) => s with { RopeScaling = Float("rope_scaling", v) }),
        new("rope_layout", true, s => Name(Layouts, s.RopeLayout), (s, v) => s with { RopeLayout = Enum(Layouts, "rope_layout", v) }),
        new("mlp", true, s => Name(Mlps, s.Mlp), (s, v) => s with { Mlp = Enum(Mlps, "mlp", v) }),
        new("qkv_bias", true, s => Num(s.QkvBias), (s, v) => s with { QkvBias = Bool("qkv_bias", v) }),
        new("proj_bias", true, s => Num(s.ProjBias), (s, v) => s with { ProjBias = Bool("proj_bias", v) }),
        new("tied_embeddings", true, s => Num(s.TiedEmbeddings), (s, v) => s with { TiedEmbeddings = Bool("tied_embeddings", v) }),
        new("dropout", false, s => Num(s.Dropout), (s, v) => s with { Dropout = Float("dropout", v) }),
        new("attention_dropout", false, s => Num(s.AttentionDropout), (s, v) => s with { AttentionDropout = Float("attention_dropout", v) }),
        new("activation_checkpointing", false, s => Num(s.ActivationCheckpointing), (s, v) => s with { ActivationCheckpointing = Bool("activation_checkpointing", v) }),
        new("init_std", false, s => Num(s.InitStd), (s, v) => s with { InitStd = Float("init_std", v) }),
    ];

    /// <summary>Old top-level keys and the model key each now is.</summary>
    public static readonly IReadOnlyDictionary<string, string> LegacyKeys = new Dictionary<string, string>
    {
        ["dim"] = "dim", ["layers"] = "layers", ["heads"] = "heads", ["kv_heads"] = "kv_heads", ["ffn_dim"] = "ffn_dim",
        ["context"] = "max_positions", ["dropout"] = "dropout", ["activation_checkpointing"] = "activation_checkpointing",
    };

    /// <summary>Keys a model section accepts ("context" is another name of max_positions).</summary>
    public static IEnumerable<string> Keys => Fields.Select(f => f.Key).Prepend("preset").Append("context");

    /// <summary>The model key <paramref name="key"/> names ("context" → "max_positions"); throws naming an unknown key.</summary>
    public static string Canonical(string key) =>
        key == "context" ? "max_positions"
        : key == "preset" || Fields.Any(f => f.Key == key) ? key
        : throw new FormatException($"model: unknown key '{key}' (known: {string.Join(", ", Keys)}).");

    /// <summary>Reads a model object; unknown keys, wrong types, unknown enum names and presets are errors naming the key.</summary>
    public static ModelSection Read(JsonObject o)
    {
        var s = new ModelSection();
        var seen = new Dictionary<string, string>();
        foreach (var (key, value) in o)
        {
            string k = Canonical(key);
            if (seen.TryGetValue(k, out var other)) throw new FormatException($"model: '{key}' and '{other}' set the same field; keep one.");
            seen[k] = key;
            if (value is null) throw new FormatException($"model.{key}: null is not a value (leave the key out instead).");
            if (k == "preset")
            {
                string p = value is JsonValue pv && pv.TryGetValue<string>(out var ps) ? ps : throw new FormatException("model.preset: expected a preset name.");
                if (!DecoderPresets.ByName.ContainsKey(p)) throw new FormatException($"model.preset: unknown preset '{p}' (known: {string.Join(", ", DecoderPresets.ByName.Keys)}).");
                s = s with { Preset = p };
            }
            else s = Fields.First(f => f.Key == k).Set(s, value);
        }
        return s;
    }

    /// <summary>The set fields of <paramref name="s"/> (and its preset) as a model object.</summary>
    public static JsonObject Write(ModelSection s)
    {
        var o = new JsonObject();
        if (s.Preset is not null) o["preset"] = s.Preset;
        foreach (var f in Fields) if (f.Get(s) is { } v) o[f.Key] = v;
        return o;
    }

    /// <summary>Moves old flat keys of a config object into its "model" object; a field set both ways is an error naming it.</summary>
    public static void MoveLegacyKeys(JsonObject root)
    {
        var legacy = root.Where(p => LegacyKeys.ContainsKey(p.Key)).Select(p => p.Key).ToList();
        if (legacy.Count == 0) return;
        if (root["model"] is not (null or JsonObject)) return;   // the reader reports the wrong type
        var model = root["model"] as JsonObject ?? new JsonObject();
        foreach (var key in legacy)
        {
            string target = LegacyKeys[key];
            var clash = model.Select(p => p.Key).FirstOrDefault(k => Keys.Contains(k) && Canonical(k) == target);
            if (clash is not null) throw new FormatException($"{key}: set both at the top level (old form) and as model.{clash}; keep model.{clash}.");
            var value = root[key];
            root.Remove(key);
            model[target] = value;
        }
        root["model"] = model;
    }

    /// <summary>The shape fields on which <paramref name="wanted"/> and <paramref name="actual"/> differ, with both values.</summary>
    public static IEnumerable<(string Key, string Wanted, string Actual)> ShapeDifferences(DecoderConfig wanted, DecoderConfig actual)
    {
        ModelSection w = ModelSection.From(wanted), a = ModelSection.From(actual);
        foreach (var f in Fields.Where(f => f.Shape))
            if (!JsonNode.DeepEquals(f.Get(w), f.Get(a))) yield return (f.Key, f.Get(w)!.ToJsonString(), f.Get(a)!.ToJsonString());
    }

    private static JsonNode? Num<T>(T? v) where T : struct => v is { } x ? JsonValue.Create(x) : null;
    private static JsonNode? Name<T>(ConfigEnumConverter<T> names, T? v) where T : struct, Enum => v is { } x ? JsonValue.Create(names.NameOf(x)) : null;

    private static T Enum<T>(ConfigEnumConverter<T> names, string key, JsonNode v) where T : struct, Enum =>
        v is JsonValue jv && jv.TryGetValue<string>(out var s) && names.TryParse(s, out var e) ? e
        : throw new FormatException($"model.{key}: unknown value {v.ToJsonString()} (allowed: {string.Join(", ", names.Names)}).");

    private static int Int(string key, JsonNode v) =>
        v is JsonValue jv && jv.TryGetValue<int>(out var i) ? i : throw new FormatException($"model.{key}: expected an integer, got {v.ToJsonString()}.");

    private static float Float(string key, JsonNode v) =>
        v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && jv.TryGetValue<float>(out var f) ? f
        : throw new FormatException($"model.{key}: expected a number, got {v.ToJsonString()}.");

    private static bool Bool(string key, JsonNode v) =>
        v is JsonValue jv && jv.TryGetValue<bool>(out var b) ? b : throw new FormatException($"model.{key}: expected true or false, got {v.ToJsonString()}.");
}

/// <summary>Reads and writes PretrainConfig.Model through <see cref="ModelSectionJson"/>.</summary>
public sealed class ModelSectionConverter : JsonConverter<ModelSection>
{
    public override ModelSection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject o) throw new JsonException("expected an object (preset, dim, layers, …).");
        try { return ModelSectionJson.Read(o); }
        catch (FormatException e) { throw new JsonException(e.Message); }
    }

    public override void Write(Utf8JsonWriter writer, ModelSection value, JsonSerializerOptions options) => ModelSectionJson.Write(value).WriteTo(writer);
}
