// LlamaFamily: everything true of the LLaMA family (LLaMA 1/2, Mistral) in one place — Hugging Face weight
// names, config.json mapping (LlamaHfConfig), GGUF layout (LlamaGguf) and the published presets.
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Llama;

public static class LlamaFamily
{
    /// <summary>HF names: model.layers.{i}.self_attn.q_proj … (also used by Qwen2 and Qwen3; Baichuan fuses q/k/v).</summary>
    public static readonly DecoderNames Names = new(
        Embed: "model.embed_tokens", PositionEmbed: null, Layer: "model.layers.{0}",
        AttnNorm: "input_layernorm", Q: "self_attn.q_proj", K: "self_attn.k_proj", V: "self_attn.v_proj", FusedQkv: null, O: "self_attn.o_proj",
        FfnNorm: "post_attention_layernorm", Gate: "mlp.gate_proj", Up: "mlp.up_proj", Down: "mlp.down_proj",
        FinalNorm: "model.norm", LmHead: "lm_head", Conv1D: false)
    { QNorm = "self_attn.q_norm", KNorm = "self_attn.k_norm" };   // Qwen3's per-head norms

    /// <summary>LLaMA-2 7B: RMSNorm, SwiGLU, RoPE, no biases, untied head.</summary>
    public static readonly DecoderConfig Llama2_7B = new()
    {
        Family = ModelFamily.Llama, VocabSize = 32000, Dim = 4096, Layers = 32, Heads = 32, KvHeads = 32, FfnDim = 11008,
        MaxPositions = 4096, NormEps = 1e-5f,
    };

    /// <summary>Mistral 7B: LLaMA layout with GQA (8 KV heads), θ = 10⁶.</summary>
    public static readonly DecoderConfig Mistral7B = Llama2_7B with { FfnDim = 14336, KvHeads = 8, MaxPositions = 32768, RopeTheta = 1e6f };

    /// <summary>A tiny LLaMA with GQA for tests.</summary>
    public static readonly DecoderConfig TinyLlama = Llama2_7B with { VocabSize = 64, Dim = 32, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 48, MaxPositions = 64 };

    public static readonly DecoderFamily Family = new("llama", ModelFamily.Llama, ["LlamaForCausalLM", "MistralForCausalLM", "llama", "mistral"],
        r => LlamaHfConfig.FromHf(r), c => LlamaHfConfig.ToHf(c, "LlamaForCausalLM", "llama"), c => c.Family == ModelFamily.Llama,
        LlamaGguf.Layout, Names,
        new Dictionary<string, DecoderConfig> { ["llama2-7b"] = Llama2_7B, ["llama-7b"] = Llama2_7B, ["mistral-7b"] = Mistral7B, ["tiny-llama"] = TinyLlama });
}
