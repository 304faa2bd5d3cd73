// SGD with momentum and (coupled) weight decay, as torch.optim.SGD (dampening 0, nesterov off):
// g ← g + λ p; b ← μ b + g (b = g on the first step); p ← p − lr · b.
// Momentum buffers are tensors allocated through the current backend, disposed with the optimizer.
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

/// <summary>Stochastic gradient descent with momentum.</summary>
public sealed class Sgd(IReadOnlyList<ParamGroup> groups, float momentum = 0.9f) : IOptimizer
{
    private readonly Dictionary<Tensor, Tensor> _buf = new(ReferenceEqualityComparer.Instance);
    public long Steps { get; private set; }

    private static Tensor NewBuffer(Tensor p) { using (TensorScope.Outside()) return Tensor.Empty([(int)p.Numel]); }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        foreach (var g in groups)
            foreach (var (name, p) in g.Params)
                if (state.TryGetValue($"momentum_buffer.{name}", out var b))
                {
                    if (b.Numel != p.Numel) throw new ArgumentException($"Sgd.LoadState: 'momentum_buffer.{name}' has {b.Numel} values, expected {p.Numel}.");
                    if (!_buf.TryGetValue(p, out var dst)) _buf[p] = dst = NewBuffer(p);
                    if (b.Rank == 1) dst.CopyFrom(b);
                    else { using var flat = b.Reshape((int)b.Numel); dst.CopyFrom(flat); }
                }
        Steps = steps;
    }

    public void Step(float lr)
    {
        Steps++;
        foreach (var g in groups)
            foreach (var (_, p) in g.Params)
            {
                if (p.Grad is null) continue;
                var w = p.AsSpan(); var grad = p.Grad.AsSpan();
                bool first = !_buf.TryGetValue(p, out var bt);
                if (first) _buf[p] = bt = NewBuffer(p);
                var b = bt!.AsSpan();
                float glr = lr * g.LrScale;
                for (int i = 0; i < w.Length; i++)
                {
                    float gi = grad[i] + g.WeightDecay * w[i];
                    b[i] = first ? gi : momentum * b[i] + gi;
                    w[i] -= glr * b[i];
                }
            }
    }

    public void ZeroGrad() { foreach (var g in groups) foreach (var (_, p) in g.Params) p.ZeroGrad(); }

    public IReadOnlyDictionary<string, Tensor> State =>
        groups.SelectMany(g => g.Params).Where(np => _buf.ContainsKey(np.Param)).ToDictionary(np => $"momentum_buffer.{np.Name}", np => _buf[np.Param]);

    /// <summary>Releases the momentum buffers.</summary>
    public void Dispose()
    {
        foreach (var b in _buf.Values) b.Dispose();
        _buf.Clear();
    }
}
