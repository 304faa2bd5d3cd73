// IOptimizer: the contract every optimizer meets — a step at a given learning rate over the parameters'
// accumulated gradients, zeroing them, and exposing its state (tensors it owns) for exact checkpoint/resume.
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

/// <summary>An optimizer over parameter groups.</summary>
public interface IOptimizer : IDisposable
{
    /// <summary>Applies one update with base learning rate <paramref name="lr"/> (scaled per group).</summary>
    void Step(float lr);

    /// <summary>Zeroes every parameter's gradient.</summary>
    void ZeroGrad();

    /// <summary>Number of steps taken.</summary>
    long Steps { get; }

    /// <summary>Named state tensors (e.g. "exp_avg.{param}") for checkpoints; owned by the optimizer, not copies.</summary>
    IReadOnlyDictionary<string, Tensor> State { get; }

    /// <summary>Copies buffers saved from <see cref="State"/> into the optimizer's state and sets the step count.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> state, long steps);
}
