// IBatchedCausalLm: a causal LM with several independent KV-cache slots that runs chunks of many sequences in
// one forward pass, so the weights are streamed once per step for all of them (llama.cpp's llama_batch with
// sequence ids plays the same role). The tokens of all chunks are one concatenated span; each SequenceChunk
// names the slot it belongs to, the slot position of its first token and how many of the span's tokens are its.
// CopySlot forks a sequence (llama.cpp's llama_kv_cache_seq_cp): beam search continues one parent in several slots.
namespace SharpLM.Inference.Engine;

/// <summary>
/// One sequence's part of a batch: <see cref="Count"/> consecutive tokens of the batch's token span, fed to
/// cache slot <see cref="Slot"/> at positions <see cref="Position"/>.. (the slot keeps [0, Position) and drops the rest).
/// </summary>
public readonly record struct SequenceChunk(int Slot, int Position, int Count);

/// <summary>A causal LM with <see cref="MaxSequences"/> KV-cache slots that runs several sequences per pass.</summary>
public interface IBatchedCausalLm : ICausalLm
{
    /// <summary>Number of cache slots (0..MaxSequences-1); <see cref="ICausalLm.Forward"/> uses slot 0.</summary>
    int MaxSequences { get; }

    /// <summary>
    /// Runs every chunk in one batched forward: <paramref name="tokens"/> is the concatenation of the chunks'
    /// tokens in order, each chunk names a distinct slot. Row i of <paramref name="logits"/> (VocabSize values)
    /// receives the logits of chunk i's last token.
    /// </summary>
    void ForwardBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits);

    /// <summary>
    /// Makes slot <paramref name="to"/> hold exactly what slot <paramref name="from"/> holds (its cached positions
    /// are copied; anything <paramref name="to"/> held is dropped). Copying a slot onto itself does nothing.
    /// </summary>
    void CopySlot(int from, int to);
}
