// Configs without weights: the layout table equals what the module tree registers; full-size parameter
// counts equal the published ones; config.json mapping and its errors; the memory arithmetic.
using System.Text.Json;
using SharpLM.Models.Families;
using SharpLM.Models.Memory;
using SharpLM.Models.Transformer;
using Xunit;

namespace SharpLM.Models.Tests;

public class ModelConfigTests
{
    public static IEnumerable<object[]> TinyConfigs =>
    [
        [DecoderPresets.TinyLlama], [DecoderPresets.TinyGpt2],
        [DecoderPresets.TinyLlama with { Family = ModelFamily.Baichuan, KvHeads = 4, Positions = PositionKind.Alibi }],
        [DecoderPresets.TinyLlama with { QkvBias = true, TiedEmbeddings = true }],
        [DecoderPresets.TinyLlama with { ExplicitHeadDim = 16, QkHeadNorm = true, TiedEmbeddings = true }],   // Qwen3
    ];

    [Theory]
    [MemberData(nameof(TinyConfigs))]
    public void LayoutEqualsTheRegisteredParameters(DecoderConfig c)
    {
        using var model = new DecoderModel(c);
        var built = model.NamedParameters().Select(p => (p.Name, string.Join("x", p.Param.Shape.ToArray()))).ToList();
        var layout = DecoderLayout.Parameters(c).Select(p => (p.Name, string.Join("x", p.Shape))).ToList();
        Assert.Equal(layout, built);
        Assert.Equal(DecoderLayout.Count(c), model.ParameterCount);
    }

    [Theory]
    [InlineData("llama2-7b", 6_738_415_616L)]   // Meta's LLaMA-2-7B
    [InlineData("gpt2", 124_439_808L)]          // GPT-2 small (tied head)
    [InlineData("mistral-7b", 7_241_732_096L)]  // Mistral-7B-v0.1
    [InlineData("qwen2-0.5b", 494_032_768L)]    // Qwen2-0.5B (tied head)
    [InlineData("qwen3-0.6b", 596_049_920L)]    // Qwen3-0.6B (tied head; 0.44B without the embedding)
    public void FullSizeParameterCountsMatchPublishedFigures(string preset, long expected)
        => Assert.Equal(expected, DecoderLayout.Count(DecoderPresets.ByName[preset]));

    [Fact]
    public void HfConfigMapsFamiliesAndNamesMissingKeys()
    {
        var llama = HfConfig.Map(JsonDocument.Parse("""
            {"architectures":["LlamaForCausalLM"],"vocab_size":32000,"hidden_size":4096,"num_hidden_layers":32,
             "num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":11008,"max_position_embeddings":4096,
             "rms_norm_eps":1e-5,"rope_theta":500000.0,"rope_scaling":{"type":"linear","factor":2.0}}
            """).RootElement);
        Assert.Equal(ModelFamily.Llama, llama.Family);
        Assert.Equal(8, llama.KvHeads);
        Assert.Equal(500000f, llama.RopeTheta);
        Assert.Equal(2f, llama.RopeScaling);
        Assert.False(llama.TiedEmbeddings);

        var baichuan13 = HfConfig.Map(JsonDocument.Parse("""
            {"architectures":["BaichuanForCausalLM"],"vocab_size":64000,"hidden_size":5120,"num_hidden_layers":40,
             "num_attention_heads":40,"intermediate_size":13696,"model_max_length":4096,"rms_norm_eps":1e-6}
            """).RootElement);
        Assert.Equal(PositionKind.Alibi, baichuan13.Positions);
        Assert.Equal(DecoderLayout.Count(DecoderPresets.Baichuan13B), DecoderLayout.Count(baichuan13));

        var missing = Assert.Throws<FormatException>(() => HfConfig.Map(JsonDocument.Parse("""{"architectures":["LlamaForCausalLM"],"vocab_size":10}""").RootElement, "x/config.json"));
        Assert.Contains("x/config.json", missing.Message);
        Assert.Contains("required integer key", missing.Message);
        var unknown = Assert.Throws<NotSupportedException>(() => HfConfig.Map(JsonDocument.Parse("""{"architectures":["FalconForCausalLM"]}""").RootElement));
        Assert.Contains("FalconForCausalLM", unknown.Message);
        var bad = Assert.Throws<ArgumentException>(() => HfConfig.Map(JsonDocument.Parse("""
            {"architectures":["LlamaForCausalLM"],"vocab_size":10,"hidden_size":30,"num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":8}
            """).RootElement));
        Assert.Contains("divisible", bad.Message);
    }

    [Fact]
    public void MemoryArithmeticFollowsTheBook()
    {
        var table = MemoryEstimate.Table(1_000_000_000, 0);
        Assert.Equal(4_000_000_000, table.Single(l => l.Setting == "inference fp32").TotalBytes);       // 1B params = 4 GB fp32
        Assert.Equal(16_000_000_000, table.Single(l => l.Setting == "full fine-tune fp32 + AdamW").TotalBytes); // = 16 GB
        // LoRA rank 8 on q,v of LLaMA-2 7B: 32 layers × 8 × (4096+4096 + 4096+4096) = 4,194,304.
        Assert.Equal(4_194_304, MemoryEstimate.LoraParameters(DecoderPresets.Llama2_7B, 8));
    }
}

public class HfConfigRoundTripTests
{
    public static IEnumerable<object[]> Presets => DecoderPresets.ByName.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Presets))]
    public void WrittenConfigMapsBackToTheSameConfig(string preset)
    {
        var c = DecoderPresets.ByName[preset];
        var json = HfConfigWriter.ToJson(c).ToJsonString();
        var back = HfConfig.Map(JsonDocument.Parse(json).RootElement);
        Assert.Equal(c with { InitStd = back.InitStd, Dropout = back.Dropout, AttentionDropout = back.AttentionDropout }, back);
    }
}
