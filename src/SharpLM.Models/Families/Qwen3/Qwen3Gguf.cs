// Qwen3Gguf: Qwen3 in GGUF (llama.cpp arch "qwen3": llm_build_qwen3) — LLaMA's tensors plus the per-head
// attn_q_norm/attn_k_norm weights; NEOX RoPE, so q/k rows stay in HF's halves layout; the head width is
// qwen3.attention.key_length/value_length (convert_hf_to_gguf writes them from head_dim).
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen3;

public static class Qwen3Gguf
{
    public static readonly GgufLayout Layout = new("qwen3", GgufTensorNames.Qwen3, PermuteQk: false, SplitFusedQkv: false, Read, Write);

    private static DecoderConfig Read(GgufConfigReader r) => LlamaGguf.ReadRmsRope(r, Qwen3Family.Qwen3_0_6B, explicitHeadDim: true);

    private static void Write(DecoderConfig c, GgufWriter w)
    {
        LlamaHfConfig.RequireExpressible(c, qkvBias: false, qwen3: true);
        LlamaGguf.Write(c, w, "qwen3");
        w.Add(GgufKeys.Arch("qwen3", GgufKeys.KeyLengthSuffix), GgufValue.UInt32((uint)c.HeadDim))
         .Add(GgufKeys.Arch("qwen3", GgufKeys.ValueLengthSuffix), GgufValue.UInt32((uint)c.HeadDim));
    }
}
