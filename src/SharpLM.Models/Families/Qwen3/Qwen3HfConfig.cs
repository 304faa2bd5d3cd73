// Qwen3HfConfig: Qwen3ForCausalLM's config.json is LlamaConfig's key set plus head_dim (default 128), with
// Qwen3Config's own defaults (θ 10⁶, 40,960 positions, tied head, sliding window off) and q/k norms that
// every Qwen3 model has (no config switch). attention_bias, a sliding window and RoPE rules other than
// default/linear are refused by the shared reader, naming the key.
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen3;

public static class Qwen3HfConfig
{
    public static DecoderConfig FromHf(HfConfigReader r) =>
        (LlamaHfConfig.FromHf(r, qkvBias: false, LlamaHfDefaults.Qwen3) with { QkHeadNorm = true }).Validate();

    public static JsonObject ToHf(DecoderConfig c) => LlamaHfConfig.ToHf(c, "Qwen3ForCausalLM", "qwen3", qwen3: true);
}
