// LlamaHfDefaults: the values transformers' config classes give keys a config.json omits. LlamaConfig,
// Qwen2Config and Qwen3Config share one key set but not their defaults (Qwen3Config: head_dim 128,
// θ 10⁶, 40,960 positions, tied head), so the shared reader (LlamaHfConfig.FromHf) takes them from here.
namespace SharpLM.Models.Families.Llama;

/// <summary>Defaults of omitted config.json keys.</summary>
/// <param name="HeadDim">head_dim when omitted; null: the architecture has no head_dim of its own (it must equal hidden/heads).</param>
/// <param name="SlidingWindow">use_sliding_window when omitted (Mistral has no such key and a window is always on).</param>
public sealed record LlamaHfDefaults(int MaxPositions, float RopeTheta, bool TiedEmbeddings, float RmsNormEps, int? HeadDim, bool SlidingWindow)
{
    /// <summary>LlamaConfig / MistralConfig (<paramref name="qwen2"/> false) or Qwen2Config as SharpLM has read them so far.</summary>
    public static LlamaHfDefaults Llama(bool qwen2) => new(2048, 10000f, false, 1e-6f, null, SlidingWindow: !qwen2);

    /// <summary>transformers' Qwen3Config.</summary>
    public static readonly LlamaHfDefaults Qwen3 = new(40960, 1e6f, true, 1e-6f, 128, SlidingWindow: false);
}
