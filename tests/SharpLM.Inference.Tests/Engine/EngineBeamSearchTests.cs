// Beam search on DecoderEngine (all beams in one ForwardBatch per step, slots forked with CopySlot) against
// BeamSearch on the DecoderModel of the same weights (PyTorch-checked in BeamSearchTests) and against the
// PyTorch beam oracle itself; beams = 1 is greedy; CopySlot continues exactly like the original slot;
// bad slot counts, beam counts and slot indices are clear errors.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class EngineBeamSearchTests : IDisposable
{
    private readonly LlamaGqaGguf _files = new();
    private readonly OracleFixture _oracle = new(Path.Combine(LlamaGqaGguf.FixtureDir, "oracle.safetensors"));

    public void Dispose() => _files.Dispose();

    private int[] Prompt => _oracle.Values("greedy_prompt").Select(v => (int)v).ToArray();

    private int Stop => (int)_oracle.Values("beam_stop")[0];

    /// <summary>Delegates to an engine and records how it is driven (forward passes, chunks per pass, slot copies).</summary>
    private sealed class Recording(IBatchedCausalLm lm) : IBatchedCausalLm
    {
        public List<int> ChunksPerPass { get; } = [];
        public int Copies { get; private set; }
        public int VocabSize => lm.VocabSize;
        public int ContextLength => lm.ContextLength;
        public int MaxSequences => lm.MaxSequences;
        public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits) => lm.Forward(tokens, position, lastLogits);

        public void ForwardBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits)
        {
            ChunksPerPass.Add(chunks.Length);
            lm.ForwardBatch(tokens, chunks, logits);
        }

        public void CopySlot(int from, int to) { Copies++; lm.CopySlot(from, to); }
    }

    // The stop ids are the oracle's and the greedy first token, so the stop path is exercised, not only allowed:
    // the greedy first token can no longer be continued (the hypotheses differ from a run without stop ids), and
    // with length penalty 0.5 (short hypotheses favoured) the one it ends at step 0 ranks among the best.
    [Theory]
    [InlineData(1, 1.0f, false)]
    [InlineData(3, 1.0f, false)]
    [InlineData(3, 1.0f, true)]
    [InlineData(3, 0.5f, true)]
    [InlineData(4, 0.5f, true)]
    public void EngineBeamsEqualDecoderModelBeams(int beams, float lengthPenalty, bool withStop)
    {
        const int maxNew = 10;
        int greedyFirst = new TextGenerator(_files.Model).Generate(Prompt, new GenerationOptions { MaxNewTokens = 1 }).Tokens[0];
        int[]? stops = withStop ? [Stop, greedyFirst] : null;
        var want = new BeamSearch(_files.Model).Run(Prompt, beams, maxNew, lengthPenalty, stops);
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: beams);
        var lm = new Recording(engine);
        var got = new BeamSearch(lm).Run(Prompt, beams, maxNew, lengthPenalty, stops);

        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++)
        {
            Assert.Equal(want[i].Tokens, got[i].Tokens);
            Assert.Equal(want[i].SumLogProb, got[i].SumLogProb, 1e-4);
            Assert.Equal(want[i].Score, got[i].Score, 1e-4);
        }
        // One prefill, then one pass per step with every live beam in it; the search really forked slots.
        Assert.Equal(1, lm.ChunksPerPass[0]);
        Assert.All(lm.ChunksPerPass.Skip(1), n => Assert.InRange(n, 1, beams));
        if (beams > 1)
        {
            Assert.Contains(beams, lm.ChunksPerPass);
            Assert.True(lm.Copies >= beams - 1, $"expected at least {beams - 1} slot copies, got {lm.Copies}");
        }
        if (withStop)
        {
            var free = new BeamSearch(_files.Model).Run(Prompt, beams, maxNew, lengthPenalty);
            Assert.NotEqual(free.Select(h => h.Tokens), got.Select(h => h.Tokens));
            if (lengthPenalty < 1) Assert.Contains(got, h => h.Tokens is [var t] && t == greedyFirst);
        }
    }

    [Fact]
    public void EngineBeamsEqualThePyTorchOracle()
    {
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 3);
        var hyps = new BeamSearch(engine).Run(Prompt, beams: 3, maxNewTokens: 5, lengthPenalty: 1f, stopTokens: [Stop]);
        var scores = _oracle.Values("beam_scores");
        Assert.Equal(scores.Length, hyps.Count);
        for (int i = 0; i < hyps.Count; i++)
        {
            Assert.Equal(_oracle.Values($"beam_tokens.{i}").Select(v => (int)v).ToArray(), hyps[i].Tokens);
            Assert.Equal(scores[i], hyps[i].Score, 1e-4);
        }
    }

    [Fact]
    public void OneBeamIsGreedy()
    {
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32));
        var greedy = new TextGenerator(engine).Generate(Prompt, new GenerationOptions { MaxNewTokens = 12 });
        var beam = Assert.Single(new BeamSearch(engine).Run(Prompt, beams: 1, maxNewTokens: 12));
        Assert.Equal(greedy.Tokens, beam.Tokens);
        Assert.Equal(beam.SumLogProb / 12, beam.Score, 1e-12);                         // length penalty 1: mean log p
    }

    [Fact]
    public void ACopiedSlotContinuesLikeTheOriginal()
    {
        int[] seq = [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7];
        const int prefix = 5;
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 3);
        int v = engine.VocabSize;
        var reference = _files.ReferenceLogits(seq);
        var scratch = new float[2 * v];
        engine.ForwardBatch(seq.AsSpan(0, prefix), [new(0, 0, prefix)], scratch);
        engine.ForwardBatch([60, 14, 22, 47, 35, 10, 52, 29, 16], [new(2, 0, 9)], scratch);  // slot 2 holds a longer, other sequence
        engine.CopySlot(0, 2);
        Assert.Equal(prefix, engine.CachedTokensIn(2));
        engine.CopySlot(1, 1);                                                         // onto itself: nothing happens
        Assert.Equal(0, engine.CachedTokensIn(1));

        // Continue the original (slot 0) and the copy (slot 2) side by side, token by token.
        var logits = new float[2 * v];
        for (int t = prefix; t < seq.Length; t++)
        {
            engine.ForwardBatch([seq[t], seq[t]], [new(0, t, 1), new(2, t, 1)], logits);
            Assert.Equal(logits.AsSpan(0, v).ToArray(), logits.AsSpan(v, v).ToArray());
            Assert.True(LlamaGqaGguf.MaxAbsDiff(logits.AsSpan(v, v), reference.AsSpan(t * v, v)) < 1e-4, $"position {t}");
        }
        Assert.Equal(seq.Length, engine.CachedTokensIn(2));

        // Forking a slot back onto one that moved on rewinds it to the source's prefix.
        engine.ForwardBatch(seq.AsSpan(0, 3), [new(1, 0, 3)], scratch);
        engine.CopySlot(1, 2);
        engine.ForwardBatch(seq.AsSpan(3, 1), [new(2, 3, 1)], logits);
        Assert.True(LlamaGqaGguf.MaxAbsDiff(logits.AsSpan(0, v), reference.AsSpan(3 * v, v)) < 1e-4);
    }

    [Fact]
    public void DecoderModelLmCopiesSlotsToo()
    {
        int[] seq = [3, 17, 42, 5, 9, 63, 0, 28];
        using var lm = new DecoderModelLm(_files.Model, maxSequences: 2);
        int v = lm.VocabSize;
        var reference = _files.ReferenceLogits(seq);
        var logits = new float[v];
        lm.ForwardBatch(seq.AsSpan(0, 4), [new(0, 0, 4)], logits);
        lm.CopySlot(0, 1);
        for (int t = 4; t < seq.Length; t++)
        {
            lm.ForwardBatch(seq.AsSpan(t, 1), [new(1, t, 1)], logits);
            Assert.True(LlamaGqaGguf.MaxAbsDiff(logits, reference.AsSpan(t * v, v)) < 1e-4, $"position {t}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => lm.CopySlot(0, 2));

        // A capped context (beam search sizes the reference's caches to prompt + new tokens) is enforced.
        using var small = new DecoderModelLm(_files.Model, maxSequences: 1, contextLength: 4);
        Assert.Equal(4, small.ContextLength);
        var over = Assert.Throws<InvalidOperationException>(() => small.Forward(seq.AsSpan(0, 5), 0, logits));
        Assert.Contains("exceed the context length 4", over.Message);
    }

    [Fact]
    public void BadBeamRequestsAreClearErrors()
    {
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 2);
        var few = Assert.Throws<ArgumentException>(() => new BeamSearch(engine).Run(Prompt, beams: 3, maxNewTokens: 4));
        Assert.Contains("3 beams need 3 cache slots, but the model has 2", few.Message);
        var none = Assert.Throws<ArgumentOutOfRangeException>(() => new BeamSearch(engine).Run(Prompt, beams: 0, maxNewTokens: 4));
        Assert.Contains("beams must be at least 1", none.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BeamSearch(_files.Model).Run(Prompt, beams: 0, maxNewTokens: 4));
        var far = Assert.Throws<ArgumentOutOfRangeException>(() => engine.CopySlot(0, 2));
        Assert.Contains("slot 2 is outside [0, 2)", far.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.CopySlot(-1, 0));
        Assert.Throws<ArgumentException>(() => new BeamSearch(engine).Run(Prompt, beams: 2, maxNewTokens: engine.ContextLength));
    }
}
