// DecoderPresets: the published configurations of every registered family (defined in Families/<Family>/
// *Family.cs) under the names the CLI accepts, plus short aliases for code and tests.
using SharpLM.Models.Families.Baichuan;
using SharpLM.Models.Families.Gpt2;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Families.Qwen2;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>Named decoder configurations.</summary>
public static class DecoderPresets
{
    public static DecoderConfig Gpt2Small => Gpt2Family.Gpt2Small;
    public static DecoderConfig TinyGpt2 => Gpt2Family.TinyGpt2;
    public static DecoderConfig Llama2_7B => LlamaFamily.Llama2_7B;
    public static DecoderConfig Mistral7B => LlamaFamily.Mistral7B;
    public static DecoderConfig TinyLlama => LlamaFamily.TinyLlama;
    public static DecoderConfig Qwen2_0_5B => Qwen2Family.Qwen2_0_5B;
    public static DecoderConfig Baichuan7B => BaichuanFamily.Baichuan7B;
    public static DecoderConfig Baichuan13B => BaichuanFamily.Baichuan13B;

    /// <summary>Preset names accepted by the CLI, gathered from every family of the registry.</summary>
    public static readonly IReadOnlyDictionary<string, DecoderConfig> ByName =
        DecoderFamilies.All.SelectMany(f => f.Presets).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
}
