// PretrainConfig: every setting of a pretraining run as one typed record, read from JSON (snake_case keys;
// unknown keys rejected) and overridden by `key=value` pairs from the command line; the resolved config is
// stored with the run. Kinds (optimizer, schedule, tokenizer) are enums in code and names in JSON; an unknown
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
    // model (LLaMA-style decoder)
    /// <summary>Start from these weights (any file SharpLM.Models.Checkpoints.ModelFile.Load opens: HF folder, GGUF, llama2.c .bin); the model fields below are then ignored except context, dropout and activation_checkpointing.</summary>
    public string? InitFrom { get; init; }
    public int Dim { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    public int FfnDim { get; init; } = 704;
    public int Context { get; init; } = 128;
    public float Dropout { get; init; }
    /// <summary>Recompute each block in backward instead of storing its activations.</summary>
    public bool ActivationCheckpointing { get; init; }
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
        try { return JsonSerializer.Deserialize<PretrainConfig>(File.ReadAllText(path), Json) ?? throw new FormatException($"{path}: empty config."); }
        catch (JsonException e) { throw new FormatException($"{path}: {Describe(e)}", e); }
    }

    /// <summary>Applies `key=value` overrides (snake_case keys of this record).</summary>
    public PretrainConfig With(IEnumerable<string> overrides)
    {
        var node = JsonNode.Parse(ToJson())!.AsObject();
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new FormatException($"override '{o}': expected key=value.");
            string key = o[..eq].Trim().TrimStart('-').Replace('-', '_'), value = o[(eq + 1)..].Trim();
            if (!node.ContainsKey(key)) throw new FormatException($"override '{o}': unknown key '{key}' (known: {string.Join(", ", node.Select(p => p.Key))}).");
            node[key] = JsonNode.Parse(LooksLikeJsonScalar(value) ? value : JsonSerializer.Serialize(value));
        }
        try { return JsonSerializer.Deserialize<PretrainConfig>(node.ToJsonString(), Json)!; }
        catch (JsonException e) { throw new FormatException($"overrides: {Describe(e)}", e); }
    }

    /// <summary>The field a JSON error is about, then the error ("optimizer: unknown value 'lion' (allowed: adamw, sgd).").</summary>
    private static string Describe(JsonException e)
    {
        string field = e.Path is { Length: > 2 } p && p.StartsWith("$.") ? p[2..] : "";
        return field.Length > 0 && !e.Message.Contains(e.Path!) ? $"{field}: {e.Message}" : e.Message;
    }

    private static bool LooksLikeJsonScalar(string v) => v is "true" or "false" or "null" || double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>Throws naming the field when a value is out of range.</summary>
    public PretrainConfig Validate()
    {
        void Check(bool ok, string msg) { if (!ok) throw new ArgumentException($"PretrainConfig: {msg}"); }
        Check(Dim > 0 && Layers > 0 && Heads > 0 && KvHeads > 0 && FfnDim > 0 && Context > 1, "dim, layers, heads, kv_heads, ffn_dim must be positive and context > 1.");
        Check(BatchSize > 0 && GradAccum > 0 && Steps > 0, "batch_size, grad_accum and steps must be positive.");
        Check(Lr > 0 && MinLrRatio is >= 0 and <= 1, "lr must be > 0 and min_lr_ratio in [0, 1].");
        Check(ValFraction is > 0 and < 1, "val_fraction must be in (0, 1).");
        Check(Enum.IsDefined(Optimizer), $"optimizer {Optimizer} is not adamw or sgd.");
        Check(Enum.IsDefined(Tokenizer), $"tokenizer {Tokenizer} is not char or bpe.");
        Check(Tokenizer != TokenizerKind.Bpe || BpeVocabSize >= 257, $"bpe_vocab_size must be at least 257 (256 bytes + <|endoftext|>), got {BpeVocabSize}.");
        Check(Enum.IsDefined(Schedule), $"schedule {Schedule} is not cosine, linear, constant or wsd.");
        Check(InitFrom is null || InitFrom.Length > 0, "init_from must be a model path or absent.");
        Check(EvalEvery > 0 && EvalBatches > 0 && CheckpointEvery > 0, "eval_every, eval_batches and checkpoint_every must be positive.");
        return this;
    }
}
