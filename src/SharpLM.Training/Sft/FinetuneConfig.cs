// FinetuneConfig: every setting of a `sharplm finetune` run as one typed record, read from JSON (snake_case keys,
// unknown keys rejected at every level) and overridden by `key=value` pairs (`train.lr=1e-4`, `peft.r=16`). The
// optimisation settings are the Trainer's own record (TrainerOptions) as the "train" object, not a copy of them;
// "peft" is passed as the fields of PEFT's adapter_config.json to the method the "method" key names.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SharpLM.Training.Pretraining;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Sft;

/// <summary>What is trained: the whole model or a PEFT adapter.</summary>
public enum FinetuneMethod { Full, Lora, QLora, DoRA, Adapter, Prefix, Prompt, PTuning, IA3, LlamaAdapter }

/// <summary>Settings of a fine-tuning run.</summary>
public sealed record FinetuneConfig
{
    /// <summary>The model to fine-tune: any path SharpLM opens as a model (HF folder, GGUF, llama2.c .bin), with its tokenizer beside it.</summary>
    public string? InitFrom { get; init; }
    /// <summary>SFT JSONL files (messages, ShareGPT, Alpaca or self-instruct lines).</summary>
    public string[] Data { get; init; } = [];
    /// <summary>"auto", "messages", "sharegpt", "alpaca" or "self-instruct".</summary>
    [JsonConverter(typeof(SftFormatConverter))]
    public SftFormat Format { get; init; } = SftFormat.Auto;
    /// <summary>Held-out JSONL files; when empty, <see cref="ValFraction"/> of the sessions are held out.</summary>
    public string[] ValData { get; init; } = [];
    public double ValFraction { get; init; } = 0.05;
    /// <summary>The chat template: a built-in name (chatml, llama2, llama3, mistral, zephyr, baichuan, chatglm3), a .jinja file or a tokenizer_config.json; null: the model's own (an error if it has none).</summary>
    public string? Template { get; init; }
    /// <summary>The end-of-turn text trained after each answer; null: any special token of the tokenizer found there; "": none.</summary>
    public string? EndOfTurn { get; init; }
    [JsonConverter(typeof(FinetuneMethodConverter))]
    public FinetuneMethod Method { get; init; } = FinetuneMethod.Full;
    /// <summary>adapter_config.json fields of the PEFT method (r, lora_alpha, target_modules, …); peft_type comes from <see cref="Method"/>.</summary>
    public JsonObject? Peft { get; init; }
    [JsonConverter(typeof(LossNormalizationConverter))]
    public LossNormalization LossNormalization { get; init; } = LossNormalization.Token;
    /// <summary>Pack several sessions into a row (segment ids keep them apart).</summary>
    public bool Pack { get; init; } = true;
    /// <summary>Row length in tokens; null: the model's context, at most 1024.</summary>
    public int? Context { get; init; }
    public int BatchSize { get; init; } = 8;
    public ulong Seed { get; init; } = 1;
    /// <summary>NEFTune noise α (0: off; the paper uses 5).</summary>
    public float NeftuneAlpha { get; init; }
    /// <summary>λ of the auxiliary LM loss on <see cref="PretrainData"/> (0: off).</summary>
    public float AuxLmWeight { get; init; }
    /// <summary>Pretraining text (UTF-8 file, encoded with the model's tokenizer) or a token-shard folder for the auxiliary loss.</summary>
    public string? PretrainData { get; init; }
    /// <summary>Fraction of micro-batches that carry a pretraining batch.</summary>
    public double MixRatio { get; init; } = 0.5;
    public int EvalBatches { get; init; } = 4;
    public string OutDir { get; init; } = "runs/finetune";
    public int Threads { get; init; }
    /// <summary>The Trainer's settings (steps, lr, schedule, accumulation, clipping, cadence, budget…).</summary>
    public TrainerOptions Train { get; init; } = new() { Lr = 1e-4f, WarmupSteps = 10, WeightDecay = 0f, EvalEvery = 50, CheckpointEvery = 50 };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        Converters = { new OptimizerKindConverter(), new DecayKindConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a JSON config; unknown keys and wrong types are errors naming the file and key.</summary>
    public static FinetuneConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found.", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    public static FinetuneConfig FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<FinetuneConfig>(json, Json) ?? throw new FormatException("empty config."); }
        catch (JsonException e) { throw new FormatException(Describe(e), e); }
    }

    /// <summary>Applies `key=value` overrides; a dotted key reaches into an object (train.lr, peft.r).</summary>
    public FinetuneConfig With(IEnumerable<string> overrides)
    {
        var root = JsonNode.Parse(ToJson())!.AsObject();
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new FormatException($"override '{o}': expected key=value.");
            var path = o[..eq].Trim().TrimStart('-').Replace('-', '_').Split('.');
            string value = o[(eq + 1)..].Trim();
            JsonNode? parsed;
            try { parsed = value.Length > 0 && (value[0] is '[' or '{' || value is "true" or "false" || double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)) ? JsonNode.Parse(value) : JsonValue.Create(value); }
            catch (JsonException) { parsed = JsonValue.Create(value); }
            var node = root;
            for (int i = 0; i < path.Length - 1; i++)
            {
                if (node[path[i]] is not JsonObject child)
                {
                    if (node.ContainsKey(path[i]) && node[path[i]] is not null) throw new FormatException($"override '{o}': {path[i]} is not an object.");
                    child = new JsonObject();
                    node[path[i]] = child;
                }
                node = child;
            }
            if (path.Length == 1 && !root.ContainsKey(path[0]))
                throw new FormatException($"override '{o}': unknown key '{path[0]}' (known: {string.Join(", ", root.Select(p => p.Key))}).");
            if (path[^1] == "data" || path[^1] == "val_data") parsed = parsed is JsonArray ? parsed : new JsonArray(parsed);
            node[path[^1]] = parsed;
        }
        try { return JsonSerializer.Deserialize<FinetuneConfig>(root.ToJsonString(), Json)!; }
        catch (JsonException e) { throw new FormatException($"overrides: {Describe(e)}", e); }
    }

    private static string Describe(JsonException e)
    {
        string field = e.Path is { Length: > 2 } p && p.StartsWith("$.") ? p[2..] : "";
        return field.Length > 0 && !e.Message.Contains(e.Path!) ? $"{field}: {e.Message}" : e.Message;
    }

    /// <summary>Throws naming the field when a value is missing or out of range.</summary>
    public FinetuneConfig Validate()
    {
        void Check(bool ok, string msg) { if (!ok) throw new ArgumentException($"finetune config: {msg}"); }
        Check(!string.IsNullOrEmpty(InitFrom), "init_from: set the model to fine-tune (a HF folder, GGUF or .bin).");
        Check(Data.Length > 0, "data: set one or more SFT JSONL files.");
        Check(ValFraction is >= 0 and < 1, $"val_fraction must be in [0, 1), got {ValFraction}.");
        Check(BatchSize > 0, $"batch_size must be positive, got {BatchSize}.");
        Check(Context is null or > 1, $"context must be > 1, got {Context}.");
        Check(NeftuneAlpha >= 0 && AuxLmWeight >= 0, "neftune_alpha and aux_lm_weight must be >= 0.");
        Check(AuxLmWeight == 0 || PretrainData is not null, "aux_lm_weight > 0 needs pretrain_data (a text file or token-shard folder).");
        Check(MixRatio is >= 0 and <= 1, $"mix_ratio must be in [0, 1], got {MixRatio}.");
        Check(EvalBatches > 0, "eval_batches must be positive.");
        Check(Method != FinetuneMethod.Full || Peft is null, "peft: set only with a PEFT method (method is full).");
        return this;
    }
}

/// <summary>The config names of the methods.</summary>
public sealed class FinetuneMethodConverter() : ConfigEnumConverter<FinetuneMethod>(
    ("full", FinetuneMethod.Full), ("lora", FinetuneMethod.Lora), ("qlora", FinetuneMethod.QLora), ("dora", FinetuneMethod.DoRA),
    ("adapter", FinetuneMethod.Adapter), ("prefix", FinetuneMethod.Prefix), ("prompt", FinetuneMethod.Prompt),
    ("ptuning", FinetuneMethod.PTuning), ("ia3", FinetuneMethod.IA3), ("llama-adapter", FinetuneMethod.LlamaAdapter))
{
    public static readonly FinetuneMethodConverter Instance = new();
}

/// <summary>"token" | "session".</summary>
public sealed class LossNormalizationConverter() : ConfigEnumConverter<LossNormalization>(("token", LossNormalization.Token), ("session", LossNormalization.Session));

/// <summary>"auto" | "messages" | "sharegpt" | "alpaca" | "self-instruct".</summary>
public sealed class SftFormatConverter() : ConfigEnumConverter<SftFormat>(
    ("auto", SftFormat.Auto), ("messages", SftFormat.Messages), ("sharegpt", SftFormat.ShareGpt), ("alpaca", SftFormat.Alpaca), ("self-instruct", SftFormat.SelfInstruct));
