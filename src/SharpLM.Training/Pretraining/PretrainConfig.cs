// PretrainConfig: every setting of a pretraining run as one typed record, read from JSON (snake_case keys;
// unknown keys rejected) and overridden by `key=value` pairs from the command line; the resolved config is
// stored with the run. The model is one embedded section ("model": preset and/or DecoderConfig fields, see
// ModelSection); the old flat keys (dim, layers, …, context) still load and override into it. Kinds (optimizer, schedule, tokenizer) are enums in code and names in JSON; an unknown
// name is an error naming the field and the allowed names.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SharpLM.Training.Data;
using SharpLM.Training.Schedules;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Pretraining;

/// <summary>Settings of a pretraining run.</summary>
public sealed record PretrainConfig
{
    // data
    /// <summary>Training text (UTF-8). Null: the caller supplies the corpus (quickstart generates one).</summary>
    public string? Data { get; init; }
    public double ValFraction { get; init; } = 0.1;
    /// <summary>With token shards as data: the tokenizer they were made with (tokenizer.json, GGUF, vocab.json folder…).</summary>
    public string? TokenizerPath { get; init; }
    /// <summary>"char" (one token per character) or "bpe" (byte-level BPE trained on the corpus).</summary>
    [JsonConverter(typeof(TokenizerKindConverter))]
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Char;
    public int BpeVocabSize { get; init; } = 1024;
    // model
    /// <summary>Start from these weights (any file SharpLM.Models.Checkpoints.ModelFile.Load opens: HF folder, GGUF, llama2.c .bin); the file's config wins, and shape fields set in <see cref="Model"/> must agree with it.</summary>
    public string? InitFrom { get; init; }
    /// <summary>The decoder to train: "model": { "preset": …, "dim": …, … } (unset fields: the preset's or the LLaMA-style default).</summary>
    [JsonConverter(typeof(ModelSectionConverter))]
    public ModelSection Model { get; init; } = new();
    /// <summary>Training window length: the model's max_positions.</summary>
    [JsonIgnore] public int Context => Model.Context;
    /// <summary>Parameter-name prefixes to freeze (no gradient, no update), e.g. "model.embed_tokens", "model.layers.0.".</summary>
    public string[] Freeze { get; init; } = [];
    // optimisation
    public int BatchSize { get; init; } = 16;
    public int GradAccum { get; init; } = 1;
    public int Steps { get; init; } = 300;
    /// <summary>"adamw" or "sgd" (momentum <see cref="Beta1"/>).</summary>
    [JsonConverter(typeof(OptimizerKindConverter))]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public float Lr { get; init; } = 3e-3f;
    public float MinLrRatio { get; init; } = 0.1f;
    public int WarmupSteps { get; init; } = 30;
    /// <summary>"cosine", "linear", "constant" or "wsd" (warmup-stable-decay).</summary>
    [JsonConverter(typeof(DecayKindConverter))]
    public DecayKind Schedule { get; init; } = DecayKind.Cosine;
    public float WeightDecay { get; init; } = 0.1f;
    public float Beta1 { get; init; } = 0.9f;
    public float Beta2 { get; init; } = 0.95f;
    public float Clip { get; init; } = 1f;
    /// <summary>A batch whose loss exceeds this multiple of the running mean (or is not finite) is skipped.</summary>
    public float SpikeFactor { get; init; } = 3f;
    /// <summary>Stop the run as diverged after this many skipped batches in a row.</summary>
    public int MaxSkips { get; init; } = 10;
    public ulong Seed { get; init; } = 1;
    // evaluation and outputs
    public int EvalEvery { get; init; } = 50;
    public int EvalBatches { get; init; } = 8;
    public int SampleTokens { get; init; } = 200;
    public int CheckpointEvery { get; init; } = 100;
    public string OutDir { get; init; } = "runs/pretrain";
    public int Threads { get; init; }
    /// <summary>Wall-clock budget: stop (evaluate, checkpoint) after this many minutes (0 = none).</summary>
    public double MaxMinutes { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    /// <summary>The config as JSON (snake_case).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a JSON config; unknown keys and wrong types are errors naming the file.</summary>
    public static PretrainConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PretrainConfig: {path} does not exist.", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads a config from JSON text, old flat model keys included.</summary>
    public static PretrainConfig FromJson(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject root) throw new FormatException("expected a JSON object.");
            if (root.ContainsKey("model") && root["model"] is not JsonObject) throw new FormatException("model: expected an object (preset, dim, layers, …).");
            ModelSectionJson.MoveLegacyKeys(root);
            return root.Deserialize<PretrainConfig>(Json) ?? throw new FormatException("empty config.");
        }
        catch (JsonException e) { throw new FormatException(Describe(e), e); }
    }

    /// <summary>
    /// Applies `key=value` overrides (snake_case keys of this record; `model.dim=512` for the model section, where
    /// the old flat `dim=512`, `context=64`… still work). `model.preset=NAME` starts the section afresh from that
    /// preset (model fields of the file are dropped; model overrides on the same line still apply).
    /// </summary>
    public PretrainConfig With(IEnumerable<string> overrides)
    {
        var node = JsonNode.Parse(ToJson())!.AsObject();
        var pairs = overrides.Select(Split).OrderBy(p => p.Key != "model.preset").ToList();  // preset first: it resets the section
        foreach (var (o, key, value) in pairs)
        {
            var parsed = JsonNode.Parse(LooksLikeJsonScalar(value) ? value : JsonSerializer.Serialize(value));
            string? modelKey = key.StartsWith("model.") ? key["model.".Length..] : ModelSectionJson.LegacyKeys.GetValueOrDefault(key);
            if (modelKey is not null)
            {
                try { modelKey = ModelSectionJson.Canonical(modelKey); }
                catch (FormatException e) { throw new FormatException($"override '{o}': {e.Message}", e); }
                if (modelKey == "preset") node["model"] = new JsonObject();
                node["model"]!.AsObject()[modelKey] = parsed;
                continue;
            }
            if (!node.ContainsKey(key)) throw new FormatException($"override '{o}': unknown key '{key}' (known: {string.Join(", ", node.Select(p => p.Key))}, model.<key>).");
            node[key] = parsed;
        }
        try { return JsonSerializer.Deserialize<PretrainConfig>(node.ToJsonString(), Json)!; }
        catch (JsonException e) { throw new FormatException($"overrides: {Describe(e)}", e); }
    }

    private static (string Override, string Key, string Value) Split(string o)
    {
        int eq = o.IndexOf('=');
        if (eq <= 0) throw new FormatException($"override '{o}': expected key=value.");
        return (o, o[..eq].Trim().TrimStart('-').Replace('-', '_'), o[(eq + 1)..].Trim());
    }

    /// <summary>The field a JSON error is about, then the error ("optimizer: unknown value 'lion' (allowed: adamw, sgd).").</summary>
    private static string Describe(JsonException e)
    {
        string field = e.Path is { Length: > 2 } p && p.StartsWith("$.") ? p[2..] : "";
        return field.Length > 0 && !e.Message.Contains(e.Path!) && !e.Message.StartsWith(field) ? $"{field}: {e.Message}" : e.Message;
    }

    private static bool LooksLikeJsonScalar(string v) => v is "true" or "false" or "null" || double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>Throws naming the field when a value is out of range.</summary>
    public PretrainConfig Validate()
    {
        void Check(bool ok, string msg) { if (!ok) throw new ArgumentException($"PretrainConfig: {msg}"); }
        Check(Context > 1, $"model.max_positions (the context) must be > 1, got {Context}.");
        // Without init_from the section alone must make a valid decoder (with init_from the file's shape is checked when loaded).
        if (InitFrom is null)
            try { Model.Resolve(Model.VocabSize ?? 1); }
            catch (ArgumentException e) { throw new ArgumentException($"PretrainConfig: model: {e.Message}", e); }
        Check(BatchSize > 0 && GradAccum > 0 && Steps > 0, "batch_size, grad_accum and steps must be positive.");
        Check(Lr > 0 && MinLrRatio is >= 0 and <= 1, "lr must be > 0 and min_lr_ratio in [0, 1].");
        Check(ValFraction is > 0 and < 1, "val_fraction must be in (0, 1).");
        Check(Enum.IsDefined(Optimizer), $"optimizer {Optimizer} is not adamw or sgd.");
        Check(Enum.IsDefined(Tokenizer), $"tokenizer {Tokenizer} is not char or bpe.");
        Check(Tokenizer != TokenizerKind.Bpe || BpeVocabSize >= 257, $"bpe_vocab_size must be at least 257 (256 bytes + <|endoftext|>), got {BpeVocabSize}.");
        Check(Enum.IsDefined(Schedule), $"schedule {Schedule} is not cosine, linear, constant or wsd.");
        Check(InitFrom is null || InitFrom.Length > 0, "init_from must be a model path or absent.");
        Check(EvalEvery > 0 && EvalBatches > 0 && CheckpointEvery > 0, "eval_every, eval_batches and checkpoint_every must be positive.");
        Check(WarmupSteps >= 0, $"warmup_steps must be 0 or more, got {WarmupSteps}.");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), $"weight_decay must be 0 or more, got {WeightDecay}.");
        Check(Clip > 0 && float.IsFinite(Clip), $"clip (the gradient-norm limit) must be greater than 0, got {Clip}.");
        Check(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"beta1 and beta2 must be in [0, 1), got {Beta1} and {Beta2}.");
        Check(SpikeFactor > 1 && float.IsFinite(SpikeFactor), $"spike_factor must be greater than 1 (a batch is skipped when its loss exceeds spike_factor × the running mean), got {SpikeFactor}.");
        Check(MaxSkips >= 1, $"max_skips must be at least 1, got {MaxSkips}.");
        Check(Threads >= 0 && Threads <= 4 * Environment.ProcessorCount, $"threads must be 0 (all cores) to {4 * Environment.ProcessorCount}, got {Threads}.");
        Check(MaxMinutes >= 0 && double.IsFinite(MaxMinutes), $"max_minutes must be 0 (no budget) or more, got {MaxMinutes}.");
        Check(SampleTokens >= 0, $"sample_tokens must be 0 or more, got {SampleTokens}.");
        return this;
    }
}
