// IPagedCausalLm: a batched causal LM whose slots share a paged KV cache (PagedKvCache) — what a scheduler needs
// to admit, preempt and reuse: the pool's size and use, the blocks a step will take, attaching a sequence's cached
// prefix (prefix caching) and giving a slot's blocks back. DecoderEngine implements it.
namespace SharpLM.Inference.Engine;

/// <summary>A batched causal LM over a paged KV cache with prefix caching.</summary>
public interface IPagedCausalLm : IBatchedCausalLm
{
    /// <summary>Positions per block.</summary>
    int KvBlockSize { get; }

    /// <summary>Blocks in the pool.</summary>
    int KvBlocksTotal { get; }

    /// <summary>Blocks held by at least one slot.</summary>
    int KvBlocksUsed { get; }

    /// <summary>Blocks a write can take (free, or cached for prefixes but held by nobody).</summary>
    int KvBlocksAvailable { get; }

    /// <summary>Blocks <paramref name="slot"/> holds.</summary>
    int KvBlocksHeld(int slot);

    /// <summary>Net blocks feeding <paramref name="count"/> tokens at <paramref name="position"/> of <paramref name="slot"/> takes from the pool (blocks it drops from the slot counted back).</summary>
    int KvBlocksNeeded(int slot, int position, int count);

    /// <summary>
    /// Empties <paramref name="slot"/> and attaches the cached blocks of the longest prefix of <paramref name="tokens"/>
    /// found in the prefix cache (whole blocks, always leaving the last token to compute); returns the positions reused.
    /// </summary>
    int ReusePrefix(int slot, ReadOnlySpan<int> tokens);

    /// <summary>Gives every block of <paramref name="slot"/> back to the pool (full blocks stay in the prefix cache).</summary>
    void ReleaseSlot(int slot);
}
