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
    public static readonly GgufLayout Layout = new("baichuan", GgufTensorNames.Llama, PermuteQk: true, SplitFusedQkv: true, Read, Write);

    private static DecoderConfig Read(GgufConfigReader r)
    {
        var c = LlamaGguf.ReadRmsRope(r, BaichuanFamily.Baichuan7B);
        double? bias = r.Raw(GgufKeys.MaxAlibiBiasSuffix)?.AsDouble();
        if (bias is not (null or 0 or 8))
            throw SharpLM.Formats.ModelFormatException.Expected(r.File.Path, r.Key(GgufKeys.MaxAlibiBiasSuffix), "0 (RoPE) or 8 (ALiBi as Baichuan-13B)", bias);
        bool alibi = bias is double value ? value > 0 : c.Layers == 40;   // no key: llama.cpp's rule
        return c with { Positions = alibi ? PositionKind.Alibi : PositionKind.Rotary };
    }

    private static void Write(DecoderConfig c, GgufWriter w)
    {
        BaichuanHfConfig.RequireExpressible(c);
        LlamaGguf.Write(c, w, "baichuan");
        w.Add(GgufKeys.Arch("baichuan", GgufKeys.MaxAlibiBiasSuffix), GgufValue.Float32(c.Positions == PositionKind.Alibi ? 8f : 0f));
    }
}
