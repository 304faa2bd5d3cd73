// Qwen3Family: Qwen3 — the LLaMA layout and names (no q/k/v bias) with an explicit head_dim (the attention is
// heads · head_dim wide, not hidden) and a per-head RMSNorm on q and k before RoPE (self_attn.q_norm/k_norm);
// NEOX RoPE in GGUF (Qwen3HfConfig, Qwen3Gguf).
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen3;

public static class Qwen3Family
{
    /// <summary>Qwen3 0.6B (Qwen/Qwen3-0.6B config.json): 16 heads of 128 over hidden 1024, 8 KV heads, tied head.</summary>
    public static readonly DecoderConfig Qwen3_0_6B = LlamaFamily.Llama2_7B with
    {
        VocabSize = 151936, Dim = 1024, Layers = 28, Heads = 16, KvHeads = 8, FfnDim = 3072, MaxPositions = 40960,
        ExplicitHeadDim = 128, QkHeadNorm = true, RopeTheta = 1e6f, NormEps = 1e-6f, TiedEmbeddings = true,
    };

    /// <summary>Listed before Qwen2 and LLaMA in the registry: a LLaMA-named config with per-head q/k norms is written as Qwen3.</summary>
    public static readonly DecoderFamily Family = new("qwen3", ModelFamily.Llama, ["Qwen3ForCausalLM", "qwen3"],
        Qwen3HfConfig.FromHf, Qwen3HfConfig.ToHf, c => c.Family == ModelFamily.Llama && c.QkHeadNorm, Qwen3Gguf.Layout, LlamaFamily.Names,
        new Dictionary<string, DecoderConfig> { ["qwen3-0.6b"] = Qwen3_0_6B });
}
