// SGD with momentum and (coupled) weight decay, as torch.optim.SGD (dampening 0, nesterov off):
// g ← g + λ p; b ← μ b + g (b = g on the first step); p ← p − lr · b.
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

/// <summary>Stochastic gradient descent with momentum.</summary>
public sealed class Sgd(IReadOnlyList<ParamGroup> groups, float momentum = 0.9f) : IOptimizer
{
    private readonly Dictionary<Tensor, float[]> _buf = new(ReferenceEqualityComparer.Instance);
    public long Steps { get; private set; }

    public void LoadState(IReadOnlyDictionary<string, float[]> state, long steps)
    {
        foreach (var g in groups)
            foreach (var (name, p) in g.Params)
                if (state.TryGetValue($"momentum_buffer.{name}", out var b))
                {
                    if (b.Length != p.Numel) throw new ArgumentException($"Sgd.LoadState: 'momentum_buffer.{name}' has {b.Length} values, expected {p.Numel}.");
                    _buf[p] = (float[])b.Clone();
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
                bool first = !_buf.TryGetValue(p, out var b);
                if (first) _buf[p] = b = new float[w.Length];
                float glr = lr * g.LrScale;
                for (int i = 0; i < w.Length; i++)
                {
                    float gi = grad[i] + g.WeightDecay * w[i];
                    b![i] = first ? gi : momentum * b[i] + gi;
                    w[i] -= glr * b[i];
                }
            }
    }

    public void ZeroGrad() { foreach (var g in groups) foreach (var (_, p) in g.Params) p.ZeroGrad(); }

    public IReadOnlyDictionary<string, float[]> State =>
        groups.SelectMany(g => g.Params).Where(np => _buf.ContainsKey(np.Param)).ToDictionary(np => $"momentum_buffer.{np.Name}", np => _buf[np.Param]);
}
