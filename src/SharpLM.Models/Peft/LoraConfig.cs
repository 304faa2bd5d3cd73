// LoraConfig: PEFT's LoraConfig fields that SharpLM implements — r, lora_alpha, lora_dropout, the module selection
// (PeftTargets), use_rslora (scaling alpha/√r instead of alpha/r), use_dora, fan_in_fan_out, bias ("none"),
// init_lora_weights (true = kaiming-uniform A and zero B, "gaussian", false), rank_pattern / alpha_pattern (the first
// key k with re.match("(.*\.)?(k)$", name) wins, as PEFT's get_pattern_key). Fields of PEFT features not implemented
// (modules_to_save, lora_bias, trainable tokens, …) are accepted only when off; unknown fields are an error.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SharpLM.Models.Peft;

/// <summary>How LoRA's A and B start.</summary>
public enum LoraInit
{
    /// <summary>PEFT's default: A kaiming-uniform (a = √5, i.e. U(±1/√in)), B zero — the adapter starts as a no-op.</summary>
    Default,
    /// <summary>A ~ N(0, 1/r), B zero.</summary>
    Gaussian,
    /// <summary>init_lora_weights = false: A and B keep nn.Linear's default init (U(±1/√in), U(±1/√r)); not a no-op.</summary>
    Random,
}

/// <summary>A LoRA / rsLoRA / DoRA adapter configuration with PEFT's field names.</summary>
public sealed record LoraConfig
{
    public int R { get; init; } = 8;
    public double LoraAlpha { get; init; } = 8;
    public double LoraDropout { get; init; }
    public PeftTargets Targets { get; init; } = new(null, null, null, null);
    public bool UseRsLora { get; init; }
    public bool UseDora { get; init; }
    /// <summary>PEFT sets this from the layer type (true for GPT-2's Conv1D); SharpLM does the same and writes what it used.</summary>
    public bool FanInFanOut { get; init; }
    public LoraInit Init { get; init; } = LoraInit.Default;
    public List<(string Pattern, double Value)> RankPattern { get; init; } = [];
    public List<(string Pattern, double Value)> AlphaPattern { get; init; } = [];
    /// <summary>The generic PEFT fields read from a file (base_model_name_or_path, task_type, …), written back unchanged.</summary>
    public JsonObject Generic { get; init; } = new();

    private static readonly string[] Implemented =
        [.. PeftTargets.Fields, "r", "lora_alpha", "lora_dropout", "use_rslora", "use_dora", "fan_in_fan_out", "bias", "init_lora_weights", "rank_pattern", "alpha_pattern"];

    /// <summary>Fields that never change the numbers here (settings of features that are off, runtime placement).</summary>
    private static readonly string[] Inert =
        ["megatron_core", "runtime_config", "ensure_weight_tying", "qalora_group_size", "loftq_config", "eva_config", "corda_config", "lora_ga_config"];

    /// <summary>Switches of PEFT features SharpLM does not implement: accepted only when off.</summary>
    private static readonly string[] OffOnly =
        ["modules_to_save", "lora_bias", "trainable_token_indices", "target_parameters", "layer_replication", "use_qalora",
         "megatron_config", "alora_invocation_tokens", "velora_config", "use_bdlora", "arrow_config", "kasa_config", "monteclora_config"];

    /// <summary>Reads a LORA adapter_config.json object; unknown or unsupported fields are errors naming the field.</summary>
    public static LoraConfig FromJson(JsonObject json)
    {
        var f = new LoraConfigFields(json, "LORA");
        f.CheckFields(Implemented, Inert, OffOnly);
        string bias = f.String("bias") ?? "none";
        if (bias != "none") throw new ArgumentException($"adapter_config.json: LORA field 'bias' = \"{bias}\" is not supported (only \"none\": SharpLM trains no base biases).");
        var c = new LoraConfig
        {
            R = f.Int("r", 8),
            LoraAlpha = f.Number("lora_alpha", 8),
            LoraDropout = f.Number("lora_dropout", 0),
            Targets = PeftTargets.Read(f),
            UseRsLora = f.Bool("use_rslora", false),
            UseDora = f.Bool("use_dora", false),
            FanInFanOut = f.Bool("fan_in_fan_out", false),
            Init = ReadInit(json["init_lora_weights"]),
            RankPattern = f.PatternMap("rank_pattern"),
            AlphaPattern = f.PatternMap("alpha_pattern"),
            Generic = GenericFields(json),
        };
        return c.Validate();
    }

    private static LoraInit ReadInit(JsonNode? n)
    {
        if (n is null) return LoraInit.Default;
        if (n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True) return LoraInit.Default;
        if (n is JsonValue f && f.GetValueKind() == System.Text.Json.JsonValueKind.False) return LoraInit.Random;
        if (n is JsonValue s && s.GetValueKind() == System.Text.Json.JsonValueKind.String && string.Equals(s.GetValue<string>(), "gaussian", StringComparison.OrdinalIgnoreCase))
            return LoraInit.Gaussian;
        throw new ArgumentException($"adapter_config.json: LORA field 'init_lora_weights' = {n.ToJsonString()} is not supported (true, false or \"gaussian\"; data-driven inits such as pissa/olora/loftq/eva change the base weights).");
    }

    internal static JsonObject GenericFields(JsonObject json)
    {
        var g = new JsonObject();
        foreach (var name in LoraConfigFields.Generic)
            if (name != "peft_type" && json.ContainsKey(name)) g[name] = json[name]?.DeepClone();
        return g;
    }

    /// <summary>Throws naming the field when a value is out of range.</summary>
    public LoraConfig Validate()
    {
        if (R <= 0) throw new ArgumentException($"adapter_config.json: LORA field 'r' must be a positive integer, found {R}.");
        if (LoraDropout is < 0 or >= 1) throw new ArgumentException($"adapter_config.json: LORA field 'lora_dropout' must be in [0, 1), found {LoraDropout}.");
        foreach (var (p, v) in RankPattern)
            if (v <= 0 || v != Math.Floor(v)) throw new ArgumentException($"adapter_config.json: LORA field 'rank_pattern.{p}' must be a positive integer, found {v}.");
        return this;
    }

    /// <summary>The rank of the module at <paramref name="key"/> (rank_pattern, else r).</summary>
    public int RankFor(string key) => PatternValue(RankPattern, key) is { } v ? (int)v : R;

    /// <summary>The alpha of the module at <paramref name="key"/> (alpha_pattern, else lora_alpha).</summary>
    public double AlphaFor(string key) => PatternValue(AlphaPattern, key) ?? LoraAlpha;

    /// <summary>The LoRA scaling of a module: alpha/r, or alpha/√r with rsLoRA.</summary>
    public double ScalingFor(string key) => UseRsLora ? AlphaFor(key) / Math.Sqrt(RankFor(key)) : AlphaFor(key) / RankFor(key);

    private static double? PatternValue(List<(string Pattern, double Value)> map, string key)
    {
        foreach (var (p, v) in map)
            if (Regex.IsMatch(key, $@"^(.*\.)?({p})$")) return v;
        return null;
    }

    /// <summary>The adapter_config.json object as PEFT writes it.</summary>
    public JsonObject ToJson()
    {
        var o = PeftConfigFields.NewConfig("LORA");          // PEFT's base fields (task_type, inference_mode, …), then the ones read
        foreach (var (k, v) in Generic) o[k] = v?.DeepClone();
        o["r"] = R;
        o["lora_alpha"] = LoraAlpha == Math.Floor(LoraAlpha) ? JsonValue.Create((long)LoraAlpha) : JsonValue.Create(LoraAlpha);
        o["lora_dropout"] = LoraDropout;
        Targets.WriteTo(o);
        o["use_rslora"] = UseRsLora;
        o["use_dora"] = UseDora;
        o["fan_in_fan_out"] = FanInFanOut;
        o["bias"] = "none";
        o["init_lora_weights"] = Init switch { LoraInit.Gaussian => JsonValue.Create("gaussian"), LoraInit.Random => JsonValue.Create(false), _ => JsonValue.Create(true) };
        o["rank_pattern"] = Map(RankPattern);
        o["alpha_pattern"] = Map(AlphaPattern);
        o["modules_to_save"] = null;
        o["lora_bias"] = false;
        return o;
    }

    private static JsonObject Map(List<(string Pattern, double Value)> m)
    {
        var o = new JsonObject();
        foreach (var (p, v) in m) o[p] = v == Math.Floor(v) ? JsonValue.Create((long)v) : JsonValue.Create(v);
        return o;
    }
}
