// DecoderModelLm: adapts the autograd reference DecoderModel (f32, any family) to ICausalLm so the generator
// drives it exactly like LlamaEngine. It keeps one KvCache sized to the model's context; position 0 starts a
// new sequence, any other position must continue at the cached length.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;

namespace SharpLM.Inference.Engine;

/// <summary>A <see cref="DecoderModel"/> seen as an <see cref="ICausalLm"/>.</summary>
public sealed class DecoderModelLm(DecoderModel model) : ICausalLm, IDisposable
{
    private KvCache? _cache;

    public DecoderModel Model => model;

    public int VocabSize => model.Config.VocabSize;

    public int ContextLength => model.Config.MaxPositions;

    public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits)
    {
        if (tokens.Length == 0) throw new ArgumentException("DecoderModelLm.Forward: no tokens.", nameof(tokens));
        if (position + tokens.Length > ContextLength)
            throw new InvalidOperationException($"DecoderModelLm: positions {position}..{position + tokens.Length - 1} exceed the context length {ContextLength}.");
        if (position == 0)
        {
            _cache?.Dispose();
            _cache = new KvCache(model.Config, 1, ContextLength);
        }
        else if (_cache is null || _cache.Length != position)
            throw new NotSupportedException($"DecoderModelLm: can only continue at the cached length {_cache?.Length ?? 0}, not at position {position}.");
        model.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var x = Tensor.FromArray(tokens.ToArray(), 1, tokens.Length);
        var y = model.Forward(x, cache: _cache);                                       // (1, T, V)
        y.Narrow(1, tokens.Length - 1, 1).ToArray().AsSpan().CopyTo(lastLogits);
    }

    public void Dispose() { _cache?.Dispose(); _cache = null; }
}
