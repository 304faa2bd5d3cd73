// VirtualTokens: learned positions a PEFT method puts before every sequence — prompt tuning and P-tuning as
// input embeddings (Lester et al. 2021; Liu et al. 2021), prefix tuning as per-layer keys and values every
// query attends to (Li & Liang 2021). The model owns the positions: the real tokens come after the virtual ones
// (as transformers numbers them after PEFT's prompt or past_key_values), the virtual tokens enter a KV cache
// once, when a sequence starts, and the logits returned are those of the real tokens only.
using SharpLM.Tensors;

namespace SharpLM.Models.Transformer;

/// <summary>Where a method's virtual tokens enter the model.</summary>
public enum VirtualTokenKind
{
    /// <summary>Embeddings put before the token embeddings (prompt tuning, P-tuning).</summary>
    Embeddings,
    /// <summary>Keys and values put before each layer's own (prefix tuning).</summary>
    KeysValues,
}

/// <summary>The virtual tokens of an attached adapter (DecoderModel.VirtualTokens).</summary>
public interface IVirtualTokens
{
    /// <summary>Number of virtual positions before the real tokens.</summary>
    int Count { get; }

    VirtualTokenKind Kind { get; }

    /// <summary>The adapter, for error messages ("prompt-tuning adapter 'default'").</summary>
    string Description { get; }

    /// <summary>[B, Count, C] embeddings (Kind Embeddings).</summary>
    Tensor Embeddings(int batch);

    /// <summary>Keys and values [B, Hkv, Count, hd] of <paramref name="layer"/>, used as they are (no RoPE) (Kind KeysValues).</summary>
    (Tensor K, Tensor V) KeysValues(int layer, int batch);
}
