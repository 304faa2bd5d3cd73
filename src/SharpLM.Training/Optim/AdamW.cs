// AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), exactly PyTorch's
// torch.optim.AdamW (amsgrad off): p ← p·(1 − lr·λ); m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²;
// p ← p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε). Parameters without a gradient are skipped.
// The moments are tensors allocated through the current backend and disposed with the optimizer; the update
// is still a host loop over their spans.
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

/// <summary>Adam with decoupled weight decay.</summary>
public sealed class AdamW : IOptimizer
{
    private readonly IReadOnlyList<ParamGroup> _groups;
    private readonly Dictionary<Tensor, (Tensor M, Tensor V)> _state = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public long Steps { get; private set; }

    public AdamW(IReadOnlyList<ParamGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), $"AdamW: betas must be in [0, 1), got ({beta1}, {beta2}).");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "AdamW: eps must be > 0.");
        _groups = groups; Beta1 = beta1; Beta2 = beta2; Eps = eps;
        using (TensorScope.Outside())
            foreach (var g in groups) foreach (var (_, p) in g.Params) _state[p] = (Tensor.Zeros([(int)p.Numel]), Tensor.Zeros([(int)p.Numel]));
    }

    public void Step(float lr)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps), bc2 = 1 - Math.Pow(Beta2, Steps);
        float stepSize = (float)(lr / bc1);
        float bc2Sqrt = (float)Math.Sqrt(bc2);
        foreach (var g in _groups)
        {
            float glr = lr * g.LrScale, decay = 1 - glr * g.WeightDecay;
            float gStep = stepSize * g.LrScale;
            foreach (var (_, p) in g.Params)
            {
                if (p.Grad is null) continue;
                var w = p.AsSpan(); var grad = p.Grad.AsSpan();
                var (mt, vt) = _state[p];
                Span<float> m = mt.AsSpan(), v = vt.AsSpan();
                for (int i = 0; i < w.Length; i++)
                {
                    float gi = grad[i];
                    w[i] *= decay;
                    m[i] = Beta1 * m[i] + (1 - Beta1) * gi;
                    v[i] = Beta2 * v[i] + (1 - Beta2) * gi * gi;
                    w[i] -= gStep * m[i] / (MathF.Sqrt(v[i]) / bc2Sqrt + Eps);
                }
            }
        }
    }

    public void ZeroGrad() { foreach (var g in _groups) foreach (var (_, p) in g.Params) p.ZeroGrad(); }

    /// <summary>Restores moments saved from <see cref="State"/> and the step count (bias correction depends on it).</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var g in _groups)
            foreach (var (name, p) in g.Params)
            {
                var (m, v) = _state[p];
                foreach (var (key, dst) in new[] { ($"exp_avg.{name}", m), ($"exp_avg_sq.{name}", v) })
                {
                    if (!state.TryGetValue(key, out var src)) throw new KeyNotFoundException($"AdamW.LoadState: missing '{key}'.");
                    if (src.Numel != dst.Numel) throw new ArgumentException($"AdamW.LoadState: '{key}' has {src.Numel} values, expected {dst.Numel}.");
                    if (src.Rank == 1) dst.CopyFrom(src);
                    else { using var flat = src.Reshape((int)src.Numel); dst.CopyFrom(flat); }
                }
            }
        Steps = steps;
    }

    public IReadOnlyDictionary<string, Tensor> State =>
        _groups.SelectMany(g => g.Params).SelectMany(np => new[] { ($"exp_avg.{np.Name}", _state[np.Param].M), ($"exp_avg_sq.{np.Name}", _state[np.Param].V) })
            .ToDictionary(t => t.Item1, t => t.Item2);

    /// <summary>Releases the moment tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
