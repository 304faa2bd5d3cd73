// IOptimizer: the contract every optimizer meets — a step at a given learning rate over the parameters'
// accumulated gradients, zeroing them, and exposing its state for exact checkpoint/resume.
namespace SharpLM.Training.Optim;

/// <summary>An optimizer over parameter groups.</summary>
public interface IOptimizer
{
    /// <summary>Applies one update with base learning rate <paramref name="lr"/> (scaled per group).</summary>
    void Step(float lr);

    /// <summary>Zeroes every parameter's gradient.</summary>
    void ZeroGrad();

    /// <summary>Number of steps taken.</summary>
    long Steps { get; }

    /// <summary>Named state buffers (e.g. "exp_avg.{param}") for checkpoints.</summary>
    IReadOnlyDictionary<string, float[]> State { get; }

    /// <summary>Restores buffers saved from <see cref="State"/> and the step count.</summary>
    void LoadState(IReadOnlyDictionary<string, float[]> state, long steps);
}
