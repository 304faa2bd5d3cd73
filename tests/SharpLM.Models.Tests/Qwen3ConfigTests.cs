// Qwen3's config.json and the switches it adds (explicit head_dim, per-head q/k norms): Qwen3Config's own defaults
// for omitted keys (head_dim 128, not hidden/heads), keys that would change the numbers refused by name, and the
// other families' writers refusing a config they cannot store.
using System.Text.Json;
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using Xunit;

namespace SharpLM.Models.Tests;

public class Qwen3ConfigTests
{
    private const string Minimal = """
        "architectures":["Qwen3ForCausalLM"],"vocab_size":151936,"hidden_size":1024,"num_hidden_layers":28,
        "num_attention_heads":16,"num_key_value_heads":8,"intermediate_size":3072
        """;

    private static DecoderConfig Map(string extra) => HfConfig.Map(JsonDocument.Parse("{" + Minimal + extra + "}").RootElement, "q3/config.json");

    [Fact]
    public void OmittedKeysTakeQwen3ConfigDefaults()
    {
        var c = Map("");
        Assert.Equal(128, c.HeadDim);                  // Qwen3Config.head_dim = 128 (hidden/heads would be 64)
        Assert.Equal(2048, c.AttnDim);
        Assert.True(c.QkHeadNorm);
        Assert.Equal(1e6f, c.RopeTheta);
        Assert.Equal(40960, c.MaxPositions);
        Assert.True(c.TiedEmbeddings);
        Assert.Equal(DecoderPresets.ByName["qwen3-0.6b"], c);
        // head_dim equal to hidden/heads is stored as "no explicit head dim", so it writes and reads back the same.
        Assert.Equal(0, Map(""","head_dim":64""").ExplicitHeadDim);
    }

    [Theory]
    [InlineData(""","attention_bias":true""", "attention_bias")]
    [InlineData(""","use_sliding_window":true,"sliding_window":4096""", "sliding_window")]
    [InlineData(""","rope_scaling":{"rope_type":"yarn","factor":4.0}""", "yarn")]
    [InlineData(",\"hidden_act\":\"gelu\"", "hidden_act")]
    [InlineData(""","qk_layernorm":false""", "qk_layernorm")]
    public void KeysThatWouldChangeTheNumbersAreNamed(string extra, string named)
    {
        var e = Assert.Throws<FormatException>(() => Map(extra));
        Assert.Contains(named, e.Message);
        Assert.Contains("q3/config.json", e.Message);
    }

    [Fact]
    public void OtherFamiliesRefuseQwen3Switches()
    {
        var qwen3 = DecoderPresets.TinyLlama with { ExplicitHeadDim = 16, QkHeadNorm = true };
        Assert.Equal("qwen3", DecoderFamilies.For(qwen3).Name);
        Assert.Equal(16, HfConfigWriter.ToJson(qwen3)["head_dim"]!.GetValue<int>());
        // A LLaMA config with a head_dim of its own has no place in LlamaForCausalLM's mapping as SharpLM writes it.
        var e = Assert.Throws<NotSupportedException>(() => HfConfigWriter.ToJson(DecoderPresets.TinyLlama with { ExplicitHeadDim = 16 }));
        Assert.Contains("head_dim", e.Message);
    }
}
