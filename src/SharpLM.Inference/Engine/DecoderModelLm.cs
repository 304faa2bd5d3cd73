// DecoderModelLm: adapts the autograd reference DecoderModel (f32, any family) to IBatchedCausalLm so the
// generator and beam search drive it exactly like DecoderEngine. It keeps one KvCache per slot (allocated on
// first use, sized to the model's context); ForwardBatch runs the chunks one after another (the reference is
// not about speed). Position 0 starts a new sequence in a slot, any other position must continue at the
// slot's cached length (KvCache can append, not truncate). contextLength caps each slot's cache like
// DecoderEngine's (beam search sizes it to prompt + new tokens rather than the model's whole context). An adapter's
// virtual tokens (prompt tuning, P-tuning, prefix tuning) sit in the cache before position 0 and count against it.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;

namespace SharpLM.Inference.Engine;

/// <summary>A <see cref="DecoderModel"/> seen as an <see cref="IBatchedCausalLm"/> with <paramref name="maxSequences"/> slots.</summary>
public sealed class DecoderModelLm(DecoderModel model, int maxSequences = 1, int? contextLength = null) : IBatchedCausalLm, IDisposable
{
    private readonly KvCache?[] _caches = maxSequences >= 1 ? new KvCache?[maxSequences]
        : throw new ArgumentOutOfRangeException(nameof(maxSequences), maxSequences, "DecoderModelLm: maxSequences must be at least 1.");

    public DecoderModel Model => model;

    public int VocabSize => model.Config.VocabSize;

    public int ContextLength { get; } = Math.Clamp(contextLength ?? model.Config.MaxPositions, 1, model.Config.MaxPositions);

    public int MaxSequences => _caches.Length;

    public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits)
    {
        if (tokens.Length == 0) throw new ArgumentException("DecoderModelLm.Forward: no tokens.", nameof(tokens));
        Run(0, tokens, position, lastLogits);
    }

    public void ForwardBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits)
    {
        int start = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            var ch = chunks[i];
            if (ch.Count < 1 || start + ch.Count > tokens.Length)
                throw new ArgumentException($"DecoderModelLm.ForwardBatch: chunk {i} ({ch.Count} tokens from {start}) does not fit the {tokens.Length} tokens given.", nameof(chunks));
            Run(CheckSlot(ch.Slot, nameof(chunks)), tokens.Slice(start, ch.Count), ch.Position, logits.Slice(i * VocabSize, VocabSize));
            start += ch.Count;
        }
        if (start != tokens.Length)
            throw new ArgumentException($"DecoderModelLm.ForwardBatch: the chunks cover {start} tokens, the token span holds {tokens.Length}.", nameof(chunks));
    }

    public void CopySlot(int from, int to)
    {
        CheckSlot(from, nameof(from)); CheckSlot(to, nameof(to));
        if (from == to) return;
        if (_caches[from] is not { } source) { _caches[to]?.Clear(); return; }
        if (_caches[to] is { } old && old.Capacity < source.Capacity) { old.Dispose(); _caches[to] = null; }
        (_caches[to] ??= NewCache()).CopyFrom(source);
    }

    private void Run(int slot, ReadOnlySpan<int> tokens, int position, Span<float> lastLogits)
    {
        if (position + tokens.Length > ContextLength)
            throw new InvalidOperationException($"DecoderModelLm: positions {position}..{position + tokens.Length - 1} exceed the context length {ContextLength}.");
        int virtualTokens = model.VirtualTokens?.Count ?? 0;                          // a prompt/prefix adapter's, cached before position 0
        if (virtualTokens + position + tokens.Length > model.Config.MaxPositions)
            throw new InvalidOperationException($"DecoderModelLm: the {virtualTokens} virtual tokens of the {model.VirtualTokens!.Description} and positions {position}..{position + tokens.Length - 1} exceed the model's context length {model.Config.MaxPositions}.");
        var cache = _caches[slot];
        if (position == 0)
        {
            if (cache is not null && cache.Capacity < CacheCapacity) { cache.Dispose(); cache = _caches[slot] = null; } // an adapter's virtual tokens need room
            (cache ??= _caches[slot] = NewCache()).Clear();
        }
        else if (cache is null || cache.Length != virtualTokens + position)
            throw new NotSupportedException($"DecoderModelLm: slot {slot} can only continue at its cached length {Math.Max(0, (cache?.Length ?? 0) - virtualTokens)}, not at position {position}.");
        model.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var x = Tensor.FromArray(tokens.ToArray(), 1, tokens.Length);
        var y = model.Forward(x, cache: cache);                                        // (1, T, V)
        y.Narrow(1, tokens.Length - 1, 1).ToArray().AsSpan().CopyTo(lastLogits);
    }

    /// <summary>ContextLength real positions after the adapter's virtual tokens, within the model's context.</summary>
    private int CacheCapacity => Math.Min(model.Config.MaxPositions, ContextLength + (model.VirtualTokens?.Count ?? 0));

    private KvCache NewCache() => new(model.Config, 1, CacheCapacity);

    private int CheckSlot(int slot, string param) => (uint)slot < (uint)_caches.Length ? slot
        : throw new ArgumentOutOfRangeException(param, slot, $"DecoderModelLm: slot {slot} is outside [0, {_caches.Length}) (opened with maxSequences = {_caches.Length}).");

    public void Dispose()
    {
        for (int i = 0; i < _caches.Length; i++) { _caches[i]?.Dispose(); _caches[i] = null; }
    }
}
