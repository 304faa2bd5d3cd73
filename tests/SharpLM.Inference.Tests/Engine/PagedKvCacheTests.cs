// The engine's paged KV cache (PagedKvCache, 16-position blocks) against the PyTorch-checked DecoderModel: a
// sequence that attaches another's cached prefix block and computes only its tail gets the logits of a full
// recompute; writing inside a shared block copies it, so the other slot's continuation is unchanged; a batch the
// pool cannot hold fails before anything changes and runs once blocks are released; blocks nobody holds stay in the
// prefix cache until the pool needs them.
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class PagedKvCacheTests : IDisposable
{
    private readonly LlamaGqaGguf _files = new();
    private static readonly int[] A = [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7, 33, 21, 2, 8, 1, 56, 23, 40, 12];   // 20 tokens
    private static readonly int[] B = [.. A[..16], 60, 14, 22, 47, 35, 10, 52, 29, 16, 44];                      // shares block 0 with A

    public void Dispose() => _files.Dispose();

    private float[] Last(int[] ids)
    {
        var all = _files.ReferenceLogits(ids);
        return all[^64..];
    }

    private static float[] Run(DecoderEngine e, int slot, int position, int[] tokens)
    {
        var logits = new float[e.VocabSize];
        e.ForwardBatch(tokens, [new SequenceChunk(slot, position, tokens.Length)], logits);
        return logits;
    }

    [Fact]
    public void AnAttachedPrefixGivesTheLogitsOfAFullRecomputeAndWritesCopyOnWrite()
    {
        using var e = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 2);
        Assert.Equal(16, e.KvBlockSize);
        Assert.Equal(4, e.KvBlocksTotal);                                       // 2 slots × a 32-position context
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last(A), Run(e, 0, 0, A)) < 1e-4f);
        Assert.Equal(2, e.KvBlocksUsed);
        Assert.Equal(16, e.ReusePrefix(1, B));                                  // block 0 of A is B's first 16 tokens
        Assert.Equal(16, e.CachedTokensIn(1));
        Assert.Equal(2, e.KvBlocksUsed);                                        // shared, not copied
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last(B), Run(e, 1, 16, B[16..])) < 1e-4f);
        Assert.Equal(3, e.KvBlocksUsed);
        // Slot 1 rewrites from position 10, inside the shared block: it gets a copy; slot 0 still continues A.
        int[] c = [5, 5, 5];
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last([.. B[..10], .. c]), Run(e, 1, 10, c)) < 1e-4f);
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last([.. A, 7]), Run(e, 0, 20, [7])) < 1e-4f);
        Assert.Equal(1, e.ReusePrefix(1, [3]) + 1);                             // a one-token prompt reuses nothing (the last token is always computed)
    }

    [Fact]
    public void ABatchThePoolCannotHoldFailsBeforeAnythingChanges()
    {
        using var e = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 2, kvBlocks: 2);   // one context's worth for two slots
        Run(e, 0, 0, A);
        var ex = Assert.Throws<InvalidOperationException>(() => Run(e, 1, 0, [1, 2, 3]));
        Assert.Contains("out of KV-cache blocks", ex.Message);
        Assert.Equal(20, e.CachedTokensIn(0));
        Assert.Equal(0, e.CachedTokensIn(1));
        e.ReleaseSlot(0);
        Assert.Equal(0, e.KvBlocksUsed);
        Assert.Equal(2, e.KvBlocksAvailable);
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last([1, 2, 3]), Run(e, 1, 0, [1, 2, 3])) < 1e-4f);
    }

    [Fact]
    public void ReleasedFullBlocksStayCachedUntilThePoolNeedsThem()
    {
        using var e = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 1, kvBlocks: 2);
        Run(e, 0, 0, A);                 // block 0 full and registered, block 1 partial
        e.ReleaseSlot(0);
        Assert.Equal(16, e.ReusePrefix(0, B));
        Assert.True(LlamaGqaGguf.MaxAbsDiff(Last(B), Run(e, 0, 16, B[16..])) < 1e-4f);
        e.ReleaseSlot(0);
        int[] other = [.. Enumerable.Range(30, 30)];
        Run(e, 0, 0, other);             // needs both blocks: A's cached block is reused for it
        e.ReleaseSlot(0);
        Assert.Equal(0, e.ReusePrefix(0, B));
        Assert.Equal(16, e.ReusePrefix(0, other));
    }
}
