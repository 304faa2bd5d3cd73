// DecoderPresets: published configurations of the decoder families (GPT-2 small, LLaMA-2 7B, Mistral 7B,
// Qwen2 0.5B, Baichuan 7B/13B) and tiny versions for tests. Only hyper-parameters; no weights.
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>Named decoder configurations.</summary>
public static class DecoderPresets
{
    /// <summary>GPT-2 small (124M): learned positions, LayerNorm, GELU (tanh), biases, tied embeddings.</summary>
    public static readonly DecoderConfig Gpt2Small = new()
    {
        Family = ModelFamily.Gpt2, VocabSize = 50257, Dim = 768, Layers = 12, Heads = 12, KvHeads = 12, FfnDim = 3072,
        MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Positions = PositionKind.Learned,
        Mlp = MlpKind.GeluTanh, QkvBias = true, ProjBias = true, TiedEmbeddings = true,
    };

    /// <summary>LLaMA-2 7B: RMSNorm, SwiGLU, RoPE, no biases, untied head.</summary>
    public static readonly DecoderConfig Llama2_7B = new()
    {
        Family = ModelFamily.Llama, VocabSize = 32000, Dim = 4096, Layers = 32, Heads = 32, KvHeads = 32, FfnDim = 11008,
        MaxPositions = 4096, NormEps = 1e-5f,
    };

    /// <summary>Mistral 7B: LLaMA layout with GQA (8 KV heads), θ = 10⁶.</summary>
    public static readonly DecoderConfig Mistral7B = Llama2_7B with { FfnDim = 14336, KvHeads = 8, MaxPositions = 32768, RopeTheta = 1e6f };

    /// <summary>Qwen2 0.5B: GQA, q/k/v biases, tied embeddings.</summary>
    public static readonly DecoderConfig Qwen2_0_5B = Llama2_7B with
    {
        VocabSize = 151936, Dim = 896, Layers = 24, Heads = 14, KvHeads = 2, FfnDim = 4864, MaxPositions = 32768,
        RopeTheta = 1e6f, NormEps = 1e-6f, QkvBias = true, TiedEmbeddings = true,
    };

    /// <summary>Baichuan 7B: fused W_pack q/k/v, RoPE.</summary>
    public static readonly DecoderConfig Baichuan7B = Llama2_7B with { Family = ModelFamily.Baichuan, VocabSize = 64000, NormEps = 1e-6f };

    /// <summary>Baichuan 13B: fused W_pack, ALiBi instead of RoPE.</summary>
    public static readonly DecoderConfig Baichuan13B = Baichuan7B with { Dim = 5120, Layers = 40, Heads = 40, KvHeads = 40, FfnDim = 13696, Positions = PositionKind.Alibi };

    /// <summary>A tiny LLaMA with GQA for tests.</summary>
    public static readonly DecoderConfig TinyLlama = Llama2_7B with { VocabSize = 64, Dim = 32, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 48, MaxPositions = 64 };

    /// <summary>A tiny GPT-2 for tests.</summary>
    public static readonly DecoderConfig TinyGpt2 = Gpt2Small with { VocabSize = 64, Dim = 32, Layers = 2, Heads = 4, KvHeads = 4, FfnDim = 128, MaxPositions = 64 };

    /// <summary>Preset names accepted by the CLI.</summary>
    public static readonly IReadOnlyDictionary<string, DecoderConfig> ByName = new Dictionary<string, DecoderConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt2"] = Gpt2Small, ["llama2-7b"] = Llama2_7B, ["llama-7b"] = Llama2_7B, ["mistral-7b"] = Mistral7B,
        ["qwen2-0.5b"] = Qwen2_0_5B, ["baichuan-7b"] = Baichuan7B, ["baichuan-13b"] = Baichuan13B,
        ["tiny-llama"] = TinyLlama, ["tiny-gpt2"] = TinyGpt2,
    };
}
