// Gpt2Family: GPT-2 — HF names (transformer.h.{i}.attn.c_attn, Conv1D weights), config mapping (Gpt2HfConfig),
// GGUF layout (Gpt2Gguf) and presets.
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Gpt2;

public static class Gpt2Family
{
    public static readonly DecoderNames Names = new(
        Embed: "transformer.wte", PositionEmbed: "transformer.wpe", Layer: "transformer.h.{0}",
        AttnNorm: "ln_1", Q: null, K: null, V: null, FusedQkv: "attn.c_attn", O: "attn.c_proj",
        FfnNorm: "ln_2", Gate: null, Up: "mlp.c_fc", Down: "mlp.c_proj",
        FinalNorm: "transformer.ln_f", LmHead: "lm_head", Conv1D: true);

    /// <summary>GPT-2 small (124M): learned positions, LayerNorm, GELU (tanh), biases, tied embeddings.</summary>
    public static readonly DecoderConfig Gpt2Small = new()
    {
        Family = ModelFamily.Gpt2, VocabSize = 50257, Dim = 768, Layers = 12, Heads = 12, KvHeads = 12, FfnDim = 3072,
        MaxPositions = 1024, Norm = NormKind.LayerNorm, NormEps = 1e-5f, Positions = PositionKind.Learned,
        Mlp = MlpKind.GeluTanh, QkvBias = true, ProjBias = true, TiedEmbeddings = true,
    };

    /// <summary>A tiny GPT-2 for tests.</summary>
    public static readonly DecoderConfig TinyGpt2 = Gpt2Small with { VocabSize = 64, Dim = 32, Layers = 2, Heads = 4, KvHeads = 4, FfnDim = 128, MaxPositions = 64 };

    public static readonly DecoderFamily Family = new("gpt2", ModelFamily.Gpt2, ["GPT2LMHeadModel", "gpt2"],
        Gpt2HfConfig.FromHf, Gpt2HfConfig.ToHf, c => c.Family == ModelFamily.Gpt2, Gpt2Gguf.Layout, Names,
        new Dictionary<string, DecoderConfig> { ["gpt2"] = Gpt2Small, ["tiny-gpt2"] = TinyGpt2 },
        Gpt2HubWeights.Prepare);
}
