// Gpt2HubWeights: the GPT-2 checkpoints on the Hugging Face Hub (gpt2, gpt2-medium, distilgpt2 …) were saved from
// GPT2Model, so their tensors lack the "transformer." prefix GPT2LMHeadModel uses (wte.weight, h.0.attn.c_attn.weight),
// and they carry the causal-mask buffers h.{i}.attn.bias / attn.masked_bias that transformers ignores on load.
// This hook gives such a state the GPT2LMHeadModel names and drops the buffers.
using System.Text.RegularExpressions;
using SharpLM.Tensors;

namespace SharpLM.Models.Families.Gpt2;

public static partial class Gpt2HubWeights
{
    public static void Prepare(System.Text.Json.JsonElement config, Dictionary<string, Tensor> state)
    {
        foreach (var name in state.Keys.ToList())
        {
            if (MaskBuffer().IsMatch(name)) { state.Remove(name); continue; }
            if (name.StartsWith("transformer.", StringComparison.Ordinal) || name == "lm_head.weight") continue;
            string full = "transformer." + name;
            if (state.ContainsKey(full)) throw new ArgumentException($"GPT-2 checkpoint holds both '{name}' and '{full}'.");
            state[full] = state[name];
            state.Remove(name);
        }
    }

    [GeneratedRegex(@"^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex MaskBuffer();
}
