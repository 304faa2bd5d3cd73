// The model section of PretrainConfig: the new "model" object and the old flat keys give the same decoder,
// presets take overrides (file and command line), unknown keys / enum names / both-ways settings fail naming
// what is wrong, and the shipped config still resolves to the model it trained before the section existed.
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Training.Pretraining;
using Xunit;

namespace SharpLM.Training.Tests;

public class ModelSectionTests
{
    /// <summary>What Pretrainer.ModelConfig built from the flat fields before the model section existed.</summary>
    private static DecoderConfig Before(int vocab, int dim = 256, int layers = 4, int heads = 4, int kvHeads = 4, int ffn = 704, int context = 128, float dropout = 0, bool ckpt = false) => new DecoderConfig
    {
        Family = ModelFamily.Llama, VocabSize = vocab, Dim = dim, Layers = layers, Heads = heads, KvHeads = kvHeads,
        FfnDim = ffn, MaxPositions = context, Dropout = dropout, TiedEmbeddings = false, ActivationCheckpointing = ckpt,
    }.Validate();

    private static string Fail(string json) => Assert.Throws<FormatException>(() => PretrainConfig.FromJson(json)).Message;

    [Fact]
    public void DefaultsAreTodaysModel()
    {
        Assert.Equal(Before(65), Pretrainer.ModelConfig(new PretrainConfig(), 65));
        Assert.Equal(128, new PretrainConfig().Context);
    }

    [Fact]
    public void NewAndOldFormsGiveEqualDecoderConfigs()
    {
        var old = PretrainConfig.FromJson("""{ "dim": 64, "layers": 2, "heads": 4, "kv_heads": 2, "ffn_dim": 96, "context": 48, "dropout": 0.1, "activation_checkpointing": true, "steps": 5 }""");
        var now = PretrainConfig.FromJson("""{ "model": { "dim": 64, "layers": 2, "heads": 4, "kv_heads": 2, "ffn_dim": 96, "max_positions": 48, "dropout": 0.1, "activation_checkpointing": true }, "steps": 5 }""");
        var expected = Before(100, 64, 2, 4, 2, 96, 48, 0.1f, true);
        Assert.Equal(expected, old.Model.Resolve(100));
        Assert.Equal(expected, now.Model.Resolve(100));
        Assert.Equal(old.ToJson(), now.ToJson());
        Assert.Equal(48, old.Context);
        // "context" is accepted inside the section too, and the written form reads back to the same config.
        Assert.Equal(expected, PretrainConfig.FromJson("""{ "model": { "dim": 64, "layers": 2, "heads": 4, "kv_heads": 2, "ffn_dim": 96, "context": 48, "dropout": 0.1, "activation_checkpointing": true } }""").Model.Resolve(100));
        Assert.Equal(now.ToJson(), PretrainConfig.FromJson(now.ToJson()).ToJson());
    }

    [Fact]
    public void AConfigStoredByAnEarlierRunStillLoads()
    {
        // The shape ToJson wrote before the model section (flat keys, nulls and all).
        var stored = PretrainConfig.FromJson("""
            { "data": null, "val_fraction": 0.1, "tokenizer_path": null, "tokenizer": "char", "bpe_vocab_size": 1024, "init_from": null,
              "dim": 32, "layers": 2, "heads": 4, "kv_heads": 2, "ffn_dim": 64, "context": 32, "dropout": 0, "activation_checkpointing": false,
              "freeze": [], "batch_size": 8, "steps": 12, "optimizer": "adamw", "lr": 0.01, "out_dir": "runs/x" }
            """);
        Assert.Equal(Before(50, 32, 2, 4, 2, 64, 32), stored.Model.Resolve(50));
    }

    [Fact]
    public void PresetTakesOverridesFromTheFileAndTheCommandLine()
    {
        var c = PretrainConfig.FromJson("""{ "model": { "preset": "tiny-llama", "layers": 3, "dropout": 0.1 } }""");
        Assert.Equal(DecoderPresets.TinyLlama with { VocabSize = 90, Layers = 3, Dropout = 0.1f }, c.Model.Resolve(90));
        Assert.Equal(DecoderPresets.TinyLlama.MaxPositions, c.Context);

        var o = new PretrainConfig { Model = new() { Dim = 512 } }.With(["model.preset=tiny-gpt2", "model.mlp=gelu_tanh", "context=16"]);
        Assert.Equal(DecoderPresets.TinyGpt2 with { VocabSize = 90, Mlp = MlpKind.GeluTanh, MaxPositions = 16 }, o.Model.Resolve(90));
        Assert.Null(o.Model.Dim);   // the preset override starts the section afresh
        Assert.Contains("unknown preset 'nope'", Fail("""{ "model": { "preset": "nope" } }"""));
        Assert.Contains("tiny-llama", Fail("""{ "model": { "preset": "nope" } }"""));
    }

    [Fact]
    public void DottedAndOldOverridesBothWork()
    {
        var a = new PretrainConfig().With(["model.dim=512", "model.heads=8", "model.kv_heads=8"]);
        var b = new PretrainConfig().With(["dim=512", "heads=8", "kv_heads=8"]);
        Assert.Equal(Before(70, dim: 512, heads: 8, kvHeads: 8), a.Model.Resolve(70));
        Assert.Equal(a.Model.Resolve(70), b.Model.Resolve(70));
        var c = new PretrainConfig().With(["model.rope_theta=500000", "model.qkv_bias=true", "model.family=llama", "--model.context=64"]);
        Assert.Equal((500000f, true, 64), (c.Model.RopeTheta, c.Model.QkvBias, c.Context));
        Assert.Contains("'dimm'", Assert.Throws<FormatException>(() => new PretrainConfig().With(["model.dimm=4"])).Message);
        Assert.Contains("model.dim", Assert.Throws<FormatException>(() => new PretrainConfig().With(["model.dim=big"])).Message);
    }

    [Fact]
    public void UnknownModelKeysFailNamingTheKey()
    {
        var e = Fail("""{ "model": { "dim": 64, "hidden_size": 64 } }""");
        Assert.Contains("unknown key 'hidden_size'", e);
        Assert.Contains("model", e);
        Assert.Contains("model.layers", Fail("""{ "model": { "layers": "four" } }"""));
        Assert.Contains("model: expected an object", Fail("""{ "model": 3 }"""));
    }

    [Fact]
    public void BadEnumNamesListTheAllowedNames()
    {
        var e = Fail("""{ "model": { "mlp": "geglu" } }""");
        Assert.Contains("model.mlp", e);
        Assert.Contains("\"geglu\"", e);
        Assert.Contains("gelu, gelu_tanh, relu, swiglu", e);
        Assert.Contains("gpt2, llama, baichuan", Fail("""{ "model": { "family": "qwen9" } }"""));
        Assert.Contains("layer_norm, rms_norm", Fail("""{ "model": { "norm": "batch" } }"""));
        Assert.Contains("learned, rotary, alibi, sinusoidal, none", Fail("""{ "model": { "positions": 3 } }"""));
        Assert.Contains("gelu, gelu_tanh", Assert.Throws<FormatException>(() => new PretrainConfig().With(["model.mlp=swish"])).Message);
    }

    [Fact]
    public void SettingAFieldBothWaysFails()
    {
        var e = Fail("""{ "dim": 128, "model": { "dim": 256 } }""");
        Assert.Contains("dim", e);
        Assert.Contains("model.dim", e);
        Assert.Contains("model.max_positions", Fail("""{ "context": 64, "model": { "max_positions": 64 } }"""));
        Assert.Contains("model.context", Fail("""{ "context": 64, "model": { "context": 64 } }"""));
        Assert.Contains("same field", Fail("""{ "model": { "context": 64, "max_positions": 64 } }"""));
        // Old keys and model keys that do not overlap combine.
        Assert.Equal(Before(40, dim: 64, ffn: 128), PretrainConfig.FromJson("""{ "dim": 64, "model": { "ffn_dim": 128 } }""").Model.Resolve(40));
    }

    [Fact]
    public void VocabularyComesFromTheTokenizer()
    {
        var c = PretrainConfig.FromJson("""{ "model": { "vocab_size": 65 } }""");
        Assert.Equal(65, c.Model.Resolve(65).VocabSize);
        Assert.Contains("model.vocab_size", Assert.Throws<ArgumentException>(() => c.Model.Resolve(300)).Message);
    }

    [Fact]
    public void TheShippedConfigResolvesToTheModelItTrainedBefore()
    {
        var shipped = PretrainConfig.Load(Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "configs", "tinyshakespeare-char.json"));
        Assert.Equal(Before(65), Pretrainer.ModelConfig(shipped, 65));
        // The same file in its old flat form (as committed before the migration) loads to the same config.
        var flat = PretrainConfig.FromJson("""
            { "data": "../shared/data/corpora/tinyshakespeare.txt", "val_fraction": 0.1, "dim": 256, "layers": 4, "heads": 4, "kv_heads": 4,
              "ffn_dim": 704, "context": 128, "dropout": 0.0, "batch_size": 16, "steps": 2600, "lr": 0.003, "min_lr_ratio": 0.05,
              "warmup_steps": 100, "schedule": "cosine", "weight_decay": 0.1, "clip": 1.0, "eval_every": 200, "eval_batches": 20,
              "checkpoint_every": 500, "out_dir": "runs/tinyshakespeare-char", "max_minutes": 15 }
            """);
        Assert.Equal(flat.ToJson(), shipped.ToJson());
    }
}
