// PromptEmbedding: PEFT's PromptEmbedding — a [num_virtual_tokens, width] table whose rows are the virtual tokens
// (prompt tuning trains it; P-tuning and prefix tuning load their saved `prompt_embeddings` into one, which is what
// PEFT runs in inference mode: the encoder's output, used as is).
using SharpLM.Models.Modules;
using SharpLM.Tensors;

namespace SharpLM.Models.Peft;

/// <summary>What a prompt-learning method trains: a module whose output for the virtual tokens 0..NV−1 is [NV, width].</summary>
public interface IPromptEncoder
{
    /// <summary>The encoder's output for the virtual tokens: [NV, width].</summary>
    Tensor Encode();
}

/// <summary>A learned table of virtual-token vectors ("embedding.weight").</summary>
public sealed class PromptEmbedding : Module, IPromptEncoder
{
    /// <summary>The table [NV, width].</summary>
    public Tensor Weight { get; }

    public PromptEmbedding(Tensor weight) => Weight = Parameter("embedding.weight", weight);

    public Tensor Encode() => Weight;
}
