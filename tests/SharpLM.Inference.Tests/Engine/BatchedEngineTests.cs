// DecoderEngine.ForwardBatch against one sequence at a time and against DecoderModel (PyTorch-checked): three
// prompts of different lengths prefilled in one batch, then batched decode steps (one sequence sitting out)
// give every chunk the logits it gets alone; a batch larger than MaxBatch rows splits a chunk across passes;
// a slot restarts at position 0 for a new sequence while others continue; batched greedy/sampled generation
// equals generating each prompt alone; bad batches fail with clear errors before anything runs.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class BatchedEngineTests : IDisposable
{
    private readonly LlamaGqaGguf _files = new();
    // Three sequences (vocabulary 64, context 32) and the prompt length each is prefilled with.
    private static readonly int[][] Sequences =
    [
        [3, 17, 42, 5, 9, 63, 0, 28, 11, 50, 7, 33, 21, 2],
        [8, 1, 56, 23, 40, 12, 31, 19, 4, 61, 27, 45, 6, 38],
        [60, 14, 22, 47, 35, 10, 52, 29, 16, 44, 2, 57, 9, 25],
    ];
    private static readonly int[] PromptLengths = [5, 9, 2];
    private static readonly int[] Slots = [2, 0, 1]; // chunk i runs in slot Slots[i]: order and slot need not agree

    public void Dispose() => _files.Dispose();

    private static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => LlamaGqaGguf.MaxAbsDiff(a, b);

    private static float MaxAbs(ReadOnlySpan<float> a) => MaxAbsDiff(a, new float[a.Length]);

    /// <summary>Logits [T, V] of <paramref name="ids"/> by a one-slot engine, fed token by token after a one-token prefill.</summary>
    private static float[] AloneLogits(string path, int[] ids, int prompt)
    {
        using var engine = DecoderEngine.Open(path);
        int v = engine.VocabSize;
        var all = new float[ids.Length * v];
        engine.Forward(ids.AsSpan(0, prompt), 0, all.AsSpan((prompt - 1) * v, v));
        for (int t = prompt; t < ids.Length; t++) engine.Forward(ids.AsSpan(t, 1), t, all.AsSpan(t * v, v));
        return all;
    }

    // F32: within 1e-4 of DecoderModel and of the engine run one sequence at a time. Other types are compared
    // relative to the largest |logit|, against DecoderModel over the file's dequantised weights. Batched rows
    // equal one sequence alone to float rounding (F32/F16: SGEMM vs GEMV) or exactly (Q8_0/Q4_0: the packed int8
    // kernel serves one row and many with the same per-row arithmetic); the larger Q8_0/Q4_0 bound against DecoderModel is the engine's Q8_0 activation quantisation
    // (as in DecoderEngineTests, here over 3 sequences and 14 positions), not batching.
    [Theory]
    [InlineData(GgmlType.F32, 1e-4, 1e-4)]
    [InlineData(GgmlType.F16, 1e-4, 1e-4)]
    [InlineData(GgmlType.Q8_0, 0, 6e-2)] // one row and a batch run the same packed int8 kernel: bit-identical
    [InlineData(GgmlType.Q4_0, 0, 6e-2)]
    public void BatchedPrefillAndDecodeEqualEachSequenceAlone(GgmlType type, double vsAlone, double vsReference)
    {
        string path = _files.Gguf(type);
        using var reference = ModelFile.Load(path);                            // DecoderModel over the stored weights
        using var engine = DecoderEngine.Open(path, maxSequences: 3);
        int v = engine.VocabSize, n = Sequences.Length;
        var expected = Sequences.Select(s => _files.ReferenceLogits(s, reference)).ToArray();
        var alone = Sequences.Select((s, i) => AloneLogits(path, s, PromptLengths[i])).ToArray();
        var logits = new float[n * v];
        double worstAlone = 0, worstRef = 0;
        void Check(int seq, int row, int position)
        {
            var got = logits.AsSpan(row * v, v);
            var want = expected[seq].AsSpan(position * v, v);
            float scale = type == GgmlType.F32 ? 1 : MaxAbs(want);
            worstAlone = Math.Max(worstAlone, MaxAbsDiff(got, alone[seq].AsSpan(position * v, v)) / scale);
            worstRef = Math.Max(worstRef, MaxAbsDiff(got, want) / scale);
        }

        var tokens = Enumerable.Range(0, n).SelectMany(i => Sequences[i][..PromptLengths[i]]).ToArray();
        var chunks = Enumerable.Range(0, n).Select(i => new SequenceChunk(Slots[i], 0, PromptLengths[i])).ToArray();
        engine.ForwardBatch(tokens, chunks, logits);
        for (int i = 0; i < n; i++) Check(i, i, PromptLengths[i] - 1);
        Assert.Equal(PromptLengths, Slots.Select(engine.CachedTokensIn));

        var length = PromptLengths.ToArray();
        for (int step = 0; step < 5; step++)
        {
            // Sequence 1 sits out step 2: a batch need not hold every slot, and the slot keeps its cache.
            var active = Enumerable.Range(0, n).Where(i => !(step == 2 && i == 1)).ToArray();
            tokens = active.Select(i => Sequences[i][length[i]]).ToArray();
            chunks = active.Select(i => new SequenceChunk(Slots[i], length[i], 1)).ToArray();
            engine.ForwardBatch(tokens, chunks, logits);
            for (int r = 0; r < active.Length; r++) Check(active[r], r, length[active[r]]++);
        }
        Assert.Equal(length, Slots.Select(engine.CachedTokensIn));
        Assert.True(worstAlone <= vsAlone, $"{type}: batched vs alone, max |Δ| = {worstAlone:G3} > {vsAlone}");
        Assert.True(worstRef <= vsReference, $"{type}: batched vs DecoderModel, max |Δ| = {worstRef:G3} > {vsReference}");
    }

    [Fact]
    public void BatchLargerThanMaxBatchSplitsChunksAcrossPasses()
    {
        string path = _files.Gguf(GgmlType.F32);
        const int n = 12, len = 30;                                            // 360 rows: passes of 256 + 104; chunk 8 spans both
        Assert.True(n * len > DecoderEngine.MaxBatch && 8 * len < DecoderEngine.MaxBatch && 9 * len > DecoderEngine.MaxBatch);
        var rng = new Random(3);
        var prompts = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, len + 1).Select(_ => rng.Next(64)).ToArray()).ToArray();
        using var engine = DecoderEngine.Open(path, maxSequences: n);
        using var single = DecoderEngine.Open(path);
        int v = engine.VocabSize;
        var logits = new float[n * v];
        var one = new float[v];
        engine.ForwardBatch(prompts.SelectMany(p => p[..len]).ToArray(), Enumerable.Range(0, n).Select(i => new SequenceChunk(i, 0, len)).ToArray(), logits);
        for (int i = 0; i < n; i++)
        {
            single.Forward(prompts[i].AsSpan(0, len), 0, one);
            Assert.True(MaxAbsDiff(logits.AsSpan(i * v, v), one) <= 1e-4f, $"prefill, chunk {i}: max |Δ| = {MaxAbsDiff(logits.AsSpan(i * v, v), one)}");
        }
        engine.ForwardBatch(prompts.Select(p => p[len]).ToArray(), Enumerable.Range(0, n).Select(i => new SequenceChunk(i, len, 1)).ToArray(), logits);
        for (int i = 0; i < n; i++)
        {
            single.Forward(prompts[i], 0, one);
            Assert.True(MaxAbsDiff(logits.AsSpan(i * v, v), one) <= 1e-4f, $"decode, chunk {i}: max |Δ| = {MaxAbsDiff(logits.AsSpan(i * v, v), one)}");
        }
    }

    [Fact]
    public void FinishedSlotRestartsWithANewSequenceWhileOthersContinue()
    {
        string path = _files.Gguf(GgmlType.F32);
        using var engine = DecoderEngine.Open(path, maxSequences: 2);
        int v = engine.VocabSize;
        var logits = new float[2 * v];
        int[] a = Sequences[0], b = Sequences[1], c = Sequences[2];
        engine.ForwardBatch([.. a[..6], .. b[..10]], [new(0, 0, 6), new(1, 0, 10)], logits);
        engine.ForwardBatch([a[6], b[10]], [new(0, 6, 1), new(1, 10, 1)], logits);
        // b is done; slot 1 starts c (a 4-token prompt) at position 0 in the same batch as a's next token.
        engine.ForwardBatch([a[7], .. c[..4]], [new(0, 7, 1), new(1, 0, 4)], logits);
        Assert.Equal(8, engine.CachedTokensIn(0));
        Assert.Equal(4, engine.CachedTokensIn(1));
        var refA = _files.ReferenceLogits(a[..8]);
        var refC = _files.ReferenceLogits(c[..4]);
        Assert.True(MaxAbsDiff(logits.AsSpan(0, v), refA.AsSpan(7 * v, v)) <= 1e-4f);
        Assert.True(MaxAbsDiff(logits.AsSpan(v, v), refC.AsSpan(3 * v, v)) <= 1e-4f);
        // The restarted slot holds only c: its next decode step equals c alone.
        engine.ForwardBatch([c[4]], [new(1, 4, 1)], logits);
        Assert.True(MaxAbsDiff(logits.AsSpan(0, v), _files.ReferenceLogits(c[..5]).AsSpan(4 * v, v)) <= 1e-4f);
    }

    [Theory]
    [InlineData(4)] // all prompts in one batch
    [InlineData(2)] // more prompts than slots: a finished sequence's slot takes the next prompt
    public void BatchedGenerationEqualsGeneratingEachPromptAlone(int slots)
    {
        string path = _files.Gguf(GgmlType.F32);
        int[][] prompts = [Sequences[0][..7], Sequences[1][..2], Sequences[2][..12], [5, 9, 1, 33]];
        using var single = DecoderEngine.Open(path);
        var alone = new TextGenerator(single);
        var greedy = new GenerationOptions { MaxNewTokens = 10 };
        var expected = prompts.Select(p => alone.Generate(p, greedy).Tokens).ToArray();
        // Per-prompt options: a stop token that ends prompt 1 early, a shorter limit for prompt 3.
        var options = prompts.Select(_ => greedy).ToArray();
        options[1] = greedy with { StopTokens = [expected[1][3]] };
        options[3] = greedy with { MaxNewTokens = 4 };
        int stopAt = Array.IndexOf(expected[1], expected[1][3]) + 1;

        using var engine = DecoderEngine.Open(path, maxSequences: slots);
        var gen = new TextGenerator(engine);
        var batch = gen.GenerateBatch(prompts, options);
        Assert.Equal(expected[0], batch.Results[0].Tokens);
        Assert.Equal(expected[1][..stopAt], batch.Results[1].Tokens);
        Assert.Equal(FinishReason.Stop, batch.Results[1].Finish);
        Assert.Equal(expected[2], batch.Results[2].Tokens);
        Assert.Equal(expected[3][..4], batch.Results[3].Tokens);
        Assert.Equal([FinishReason.Length, FinishReason.Stop, FinishReason.Length, FinishReason.Length], batch.Results.Select(r => r.Finish));
        Assert.True(batch.PrefillTokensPerSecond > 0 && batch.DecodeTokensPerSecond > 0);

        // Sampling: prompt i of Generate(prompts, options) samples with seed + i, exactly as when run alone with that seed.
        var sampled = new GenerationOptions { MaxNewTokens = 8, Sampling = new SamplingOptions { Temperature = 1.1f, TopK = 20, Seed = 40 } };
        var got = gen.Generate(prompts, sampled);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(alone.Generate(prompts[i], sampled with { Sampling = sampled.Sampling with { Seed = 40 + (ulong)i } }).Tokens, got[i].Tokens);

        // A model without slots (the DecoderModel reference) runs the same batch one prompt after another.
        var reference = new TextGenerator(_files.Model).Generate(prompts, greedy);
        Assert.Equal(expected, reference.Select(r => r.Tokens));
    }

    [Fact]
    public void BadBatchesAreClearErrorsAndRunNothing()
    {
        using var engine = DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 2);
        int v = engine.VocabSize, ctx = engine.ContextLength;
        var logits = new float[2 * v];
        engine.ForwardBatch([1, 2, 3, 4], [new(0, 0, 3), new(1, 0, 1)], logits);

        var slot = Assert.Throws<ArgumentOutOfRangeException>(() => engine.ForwardBatch([1], [new(2, 0, 1)], logits));
        Assert.Contains("slot 2 is outside [0, 2)", slot.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.ForwardBatch([1], [new(-1, 0, 1)], logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.CachedTokensIn(2));
        var pos = Assert.Throws<ArgumentOutOfRangeException>(() => engine.ForwardBatch([1, 2], [new(0, 3, 1), new(1, 2, 1)], logits));
        Assert.Contains("[0, 1] (the cached length of slot 1)", pos.Message);
        var full = Assert.Throws<InvalidOperationException>(() => engine.ForwardBatch(new int[ctx], [new(1, 1, ctx)], logits));
        Assert.Contains($"slot 1: positions 1..{ctx} exceed the context length {ctx}", full.Message);
        var dup = Assert.Throws<ArgumentException>(() => engine.ForwardBatch([1, 2], [new(0, 3, 1), new(0, 3, 1)], logits));
        Assert.Contains("two chunks use slot 0", dup.Message);
        var cover = Assert.Throws<ArgumentException>(() => engine.ForwardBatch([1, 2, 3], [new(0, 3, 1), new(1, 1, 1)], logits));
        Assert.Contains("the chunks cover 2 tokens, the token span holds 3", cover.Message);
        Assert.Throws<ArgumentException>(() => engine.ForwardBatch([], [new(0, 0, 0)], logits));
        Assert.Throws<ArgumentException>(() => engine.ForwardBatch([1], [], logits));
        var small = Assert.Throws<ArgumentException>(() => engine.ForwardBatch([1, 2], [new(0, 3, 1), new(1, 1, 1)], new float[v]));
        Assert.Contains($"2 chunk(s) × vocabulary {v} need {2 * v}", small.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.ForwardBatch([1, v], [new(0, 3, 1), new(1, 1, 1)], logits));
        // None of the failed calls touched the caches.
        Assert.Equal(3, engine.CachedTokensIn(0));
        Assert.Equal(1, engine.CachedTokensIn(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecoderEngine.Open(_files.Gguf(GgmlType.F32), maxSequences: 0));

        // The generator validates every request before running any: a too-long second prompt leaves the first unrun.
        var gen = new TextGenerator(engine);
        var e = Assert.Throws<ArgumentException>(() => gen.GenerateBatch([[1, 2], new int[ctx - 2]], [new() { MaxNewTokens = 3 }, new() { MaxNewTokens = 3 }]));
        Assert.Contains($"exceeds the context length {ctx}", e.Message);
        Assert.Throws<ArgumentException>(() => gen.GenerateBatch([[1, 2]], []));
        Assert.Equal(3, engine.CachedTokensIn(0));
    }
}
