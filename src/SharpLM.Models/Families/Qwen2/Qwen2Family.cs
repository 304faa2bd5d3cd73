// Qwen2Family: Qwen2 — the LLaMA layout and names with q/k/v biases, NEOX RoPE in GGUF (Qwen2HfConfig, Qwen2Gguf).
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen2;

public static class Qwen2Family
{
    /// <summary>Qwen2 0.5B: GQA, q/k/v biases, tied embeddings.</summary>
    public static readonly DecoderConfig Qwen2_0_5B = LlamaFamily.Llama2_7B with
    {
        VocabSize = 151936, Dim = 896, Layers = 24, Heads = 14, KvHeads = 2, FfnDim = 4864, MaxPositions = 32768,
        RopeTheta = 1e6f, NormEps = 1e-6f, QkvBias = true, TiedEmbeddings = true,
    };

    /// <summary>Listed before LLaMA in the registry: a LLaMA-named config with q/k/v biases is written as Qwen2.</summary>
    public static readonly DecoderFamily Family = new("qwen2", ModelFamily.Llama, ["Qwen2ForCausalLM", "qwen2"],
        Qwen2HfConfig.FromHf, Qwen2HfConfig.ToHf, c => c.Family == ModelFamily.Llama && c.QkvBias, Qwen2Gguf.Layout, LlamaFamily.Names,
        new Dictionary<string, DecoderConfig> { ["qwen2-0.5b"] = Qwen2_0_5B });
}
