// Qwen2Gguf: Qwen2 in GGUF (llama.cpp arch "qwen2": llm_build_qwen2) — LLaMA's tensors plus attn_q/k/v biases;
// RoPE in the NEOX (halves) layout, so q/k rows are stored as in the HF checkpoint, not permuted.
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen2;

public static class Qwen2Gguf
{
    public static readonly GgufLayout Layout = new("qwen2", GgufTensorNames.Qwen2, PermuteQk: false, SplitFusedQkv: false,
        r => LlamaGguf.ReadRmsRope(r, Qwen2Family.Qwen2_0_5B), (c, w) => { LlamaHfConfig.RequireExpressible(c, qkvBias: true); LlamaGguf.Write(c, w, "qwen2"); });
}
