// PromptLearningConfig: the fields PEFT's PromptLearningConfig adds for every method that works with virtual tokens
// (prompt tuning, P-tuning, prefix tuning): how many virtual tokens, and the base-model sizes PEFT fills in from the
// model's config (token_dim, num_attention_heads, num_layers; for prefix tuning on a GQA model the key/value width
// and heads, as PEFT's _prepare_prompt_learning_config does). A value that disagrees with the base model is an
// error naming it.
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Peft;

/// <summary>The virtual-token fields shared by PROMPT_TUNING, P_TUNING and PREFIX_TUNING.</summary>
public sealed record PromptLearningConfig(int NumVirtualTokens, int TokenDim, int NumAttentionHeads, int NumLayers)
{
    /// <summary>The sizes PEFT derives from <paramref name="model"/> (key/value sizes for prefix tuning).</summary>
    public static PromptLearningConfig For(DecoderConfig model, int numVirtualTokens, bool keyValueSizes)
    {
        if (numVirtualTokens < 1) throw new ArgumentOutOfRangeException(nameof(numVirtualTokens), numVirtualTokens, "num_virtual_tokens must be positive.");
        if (numVirtualTokens >= model.MaxPositions)
            throw new ArgumentException($"num_virtual_tokens {numVirtualTokens} leaves no room for input in the model's context length {model.MaxPositions}.");
        return keyValueSizes
            ? new(numVirtualTokens, model.KvHeads * model.HeadDim, model.KvHeads, model.Layers)
            : new(numVirtualTokens, model.Dim, model.Heads, model.Layers);
    }

    /// <summary>Reads the fields from <paramref name="f"/> and checks them against <paramref name="model"/>.</summary>
    public static PromptLearningConfig Read(PeftConfigFields f, DecoderConfig model, bool keyValueSizes)
    {
        var c = For(model, f.PositiveInt("num_virtual_tokens"), keyValueSizes);
        f.MatchInt("token_dim", c.TokenDim, keyValueSizes ? "key/value width (num_key_value_heads × head_dim)" : "hidden size");
        f.MatchInt("num_attention_heads", c.NumAttentionHeads, keyValueSizes ? "number of key/value heads" : "number of attention heads");
        f.MatchInt("num_layers", c.NumLayers, "number of layers");
        f.MatchInt("num_transformer_submodules", 1, "number of transformer stacks (a decoder-only model has 1)");
        f.RequireEmpty("modules_to_save", "SharpLM saves only the adapter's own tensors");
        return c;
    }

    /// <summary>Writes the fields as PEFT does.</summary>
    public void Write(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["token_dim"] = TokenDim;
        o["num_transformer_submodules"] = 1;
        o["num_attention_heads"] = NumAttentionHeads;
        o["num_layers"] = NumLayers;
        o["modules_to_save"] = null;
    }
}
