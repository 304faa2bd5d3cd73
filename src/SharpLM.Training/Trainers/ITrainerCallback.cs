// ITrainerCallback: how evaluation, metrics logging, checkpoints, progress and spike handling plug into the
// Trainer without living in its loop. Every method has an empty default; callbacks run in the order added.
// Per step: OnEvaluate (at eval steps; adds metrics such as "val/loss", may set an event), then OnStepEnd.
namespace SharpLM.Training.Trainers;

/// <summary>What happened in one step (or, with Kind = BudgetEval, in the closing evaluation of a run stopped by its time budget).</summary>
public sealed class StepInfo
{
    public StepKind Kind { get; init; }
    /// <summary>Steps done, counting this one.</summary>
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    /// <summary>Mean loss over the step's micro-batches (NaN for a budget evaluation).</summary>
    public float Loss { get; init; } = float.NaN;
    public float Lr { get; init; }
    /// <summary>Pre-clip global gradient norm (NaN when skipped).</summary>
    public float GradNorm { get; init; } = float.NaN;
    public bool Skipped { get; init; }
    public double TokensPerSecond { get; init; }
    public TimeSpan Eta { get; init; }
    /// <summary>Metrics of this step; evaluation callbacks add theirs.</summary>
    public Dictionary<string, double> Metrics { get; } = new();
    /// <summary>A line for the progress display (a skipped batch, a sample, the budget stop…).</summary>
    public string? Event { get; set; }
    /// <summary>The "val/loss" metric if an evaluation ran.</summary>
    public float? ValLoss => Metrics.TryGetValue("val/loss", out var v) ? (float)v : null;
}

public enum StepKind { Train, BudgetEval }

/// <summary>How a run ended.</summary>
public sealed record TrainerOutcome(long StepsDone, bool Cancelled, bool OutOfTime, float LastValLoss, float BestValLoss)
{
    /// <summary>The run stopped because TrainerOptions.MaxConsecutiveSkips batches in a row were skipped as spikes (it diverged).</summary>
    public bool Diverged { get; init; }
}

/// <summary>Hooks into the Trainer's loop.</summary>
public interface ITrainerCallback
{
    /// <summary>At evaluation steps: measure and add metrics to <paramref name="step"/>.Metrics (the model is in training mode before and must be after).</summary>
    void OnEvaluate(StepInfo step) { }

    /// <summary>After each step (and the budget evaluation): log, checkpoint, report.</summary>
    void OnStepEnd(StepInfo step) { }

    /// <summary>A step was skipped: its loss was not finite or above the spike threshold (running mean given).</summary>
    void OnSpike(long step, float loss, float runningMean) { }

    /// <summary>When the loop ends (finished, cancelled or out of time).</summary>
    void OnRunEnd(TrainerOutcome outcome) { }
}
