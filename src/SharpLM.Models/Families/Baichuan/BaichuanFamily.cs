// BaichuanFamily: Baichuan 7B/13B — LLaMA names with the fused self_attn.W_pack, RoPE (7B) or ALiBi (13B);
// config mapping (BaichuanHfConfig), GGUF layout (BaichuanGguf) and presets.
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Baichuan;

public static class BaichuanFamily
{
    public static readonly DecoderNames Names = LlamaFamily.Names with { Q = null, K = null, V = null, FusedQkv = "self_attn.W_pack" };

    /// <summary>Baichuan 7B: fused W_pack q/k/v, RoPE.</summary>
    public static readonly DecoderConfig Baichuan7B = LlamaFamily.Llama2_7B with { Family = ModelFamily.Baichuan, VocabSize = 64000, NormEps = 1e-6f };

    /// <summary>Baichuan 13B: fused W_pack, ALiBi instead of RoPE.</summary>
    public static readonly DecoderConfig Baichuan13B = Baichuan7B with { Dim = 5120, Layers = 40, Heads = 40, KvHeads = 40, FfnDim = 13696, Positions = PositionKind.Alibi };

    public static readonly DecoderFamily Family = new("baichuan", ModelFamily.Baichuan, ["BaichuanForCausalLM", "baichuan"],
        BaichuanHfConfig.FromHf, BaichuanHfConfig.ToHf, c => c.Family == ModelFamily.Baichuan, BaichuanGguf.Layout, Names,
        new Dictionary<string, DecoderConfig> { ["baichuan-7b"] = Baichuan7B, ["baichuan-13b"] = Baichuan13B },
        BaichuanNormHead.Prepare);
}
