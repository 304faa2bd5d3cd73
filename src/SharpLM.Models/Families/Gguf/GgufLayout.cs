// GgufLayout: what is true of one family in llama.cpp's GGUF form — the general.architecture name, the HF ↔
// GGUF tensor-name table, whether q/k rows are stored in llama.cpp's interleaved-pairs RoPE layout (LLaMA,
// Baichuan: convert_hf_to_gguf permutes them; Qwen2/GPT-NeoX style "NEOX" RoPE keeps HF's halves layout),
// whether the HF projections are GPT-2 Conv1D ([in, out], transposed in GGUF) or a fused q/k/v that GGUF
// splits (Baichuan's W_pack), and the hyper-parameter keys both ways.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Gguf;

/// <summary>A family's GGUF description.</summary>
/// <param name="Arch">general.architecture, e.g. "llama".</param>
/// <param name="Tensors">HF ↔ GGUF tensor names (HF q/k/v names also for families whose HF checkpoint fuses them).</param>
/// <param name="PermuteQk">q/k rows (and biases) in llama.cpp's interleaved-pairs layout.</param>
/// <param name="SplitFusedQkv">HF stores q/k/v as one fused matrix that GGUF keeps as attn_q/attn_k/attn_v.</param>
/// <param name="ReadConfig">"{arch}.*" keys → DecoderConfig (the vocabulary size and tied head come from the tensors).</param>
/// <param name="WriteConfig">DecoderConfig → "{arch}.*" keys; throws NotSupportedException for a config the arch cannot express.</param>
public sealed record GgufLayout(
    string Arch, IReadOnlyList<TensorNameRule> Tensors, bool PermuteQk, bool SplitFusedQkv,
    Func<GgufConfigReader, DecoderConfig> ReadConfig, Action<DecoderConfig, GgufWriter> WriteConfig);
