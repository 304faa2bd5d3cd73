// Qwen2HfConfig: Qwen2ForCausalLM is the LLaMA layout with biases on q/k/v (always, no config switch), usually
// GQA, θ = 10⁶ and tied embeddings on the small sizes; sliding windows are off unless use_sliding_window is true.
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Families.Llama;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Qwen2;

public static class Qwen2HfConfig
{
    public static DecoderConfig FromHf(HfConfigReader r) => LlamaHfConfig.FromHf(r, qkvBias: true);

    public static JsonObject ToHf(DecoderConfig c) => LlamaHfConfig.ToHf(c, "Qwen2ForCausalLM", "qwen2");
}
