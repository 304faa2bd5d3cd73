// ICausalLm: the narrow interface the generation loop drives — a causal language model that owns its own
// KV cache. Forward feeds tokens at a position (0 starts a new sequence; position p reuses the first p
// cached positions) and leaves the logits of the last fed token. Implemented by DecoderEngine (GGUF-native)
// and DecoderModelLm (the autograd reference model).
namespace SharpLM.Inference.Engine;

/// <summary>A causal LM with an internal KV cache, as seen by the generator.</summary>
public interface ICausalLm
{
    /// <summary>Number of logits per position.</summary>
    int VocabSize { get; }

    /// <summary>The most positions the cache holds (prompt plus generated tokens).</summary>
    int ContextLength { get; }

    /// <summary>
    /// Runs <paramref name="tokens"/> at positions <paramref name="position"/>.. (the cache keeps positions
    /// [0, position) and drops anything after) and writes the logits of the last token into <paramref name="lastLogits"/>.
    /// </summary>
    void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits);
}
