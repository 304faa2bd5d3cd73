// BaichuanGguf: Baichuan in GGUF (llama.cpp arch "baichuan": llm_build_baichuan). convert_hf_to_gguf splits
// W_pack into attn_q/attn_k/attn_v and permutes q/k like LLaMA (harmless under ALiBi: the same row permutation
// of q and k leaves every dot product unchanged). llama.cpp has no key saying RoPE or ALiBi; it picks ALiBi for
// the 40-layer (13B) model. SharpLM writes "baichuan.attention.max_alibi_bias" = 8 for ALiBi and reads it when
// present (0 = RoPE), else applies llama.cpp's rule.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Baichuan;

public static class BaichuanGguf
{
    private const string AlibiKey = "attention.max_alibi_bias";

    public static readonly GgufLayout Layout = new("baichuan", GgufTensorNames.Llama, PermuteQk: true, SplitFusedQkv: true, Read, Write);

    private static DecoderConfig Read(GgufConfigReader r)
    {
        var c = LlamaGguf.ReadRmsRope(r, BaichuanFamily.Baichuan7B);
        bool alibi = r.Raw(AlibiKey) is { } v ? v.AsDouble() > 0 : c.Layers == 40;
        if (r.Raw(AlibiKey) is { } b && b.AsDouble() is not (0 or 8))
            throw SharpLM.Formats.ModelFormatException.Expected(r.File.Path, r.Key(AlibiKey), "0 (RoPE) or 8 (ALiBi as Baichuan-13B)", b.AsDouble());
        return c with { Positions = alibi ? PositionKind.Alibi : PositionKind.Rotary };
    }

    private static void Write(DecoderConfig c, GgufWriter w)
    {
        BaichuanHfConfig.RequireExpressible(c);
        LlamaGguf.Write(c, w, "baichuan");
        w.Add("baichuan." + AlibiKey, GgufValue.Float32(c.Positions == PositionKind.Alibi ? 8f : 0f));
    }
}
