// TrainerOptions: the settings of the generic training loop (optimiser, schedule, accumulation, clipping,
// spike skipping, evaluation and checkpoint cadence, budget, freezing). Task configs (PretrainConfig and the
// later SFT/DPO/PPO records) map onto it.
using SharpLM.Training.Schedules;

namespace SharpLM.Training.Trainers;

/// <summary>Which optimiser the Trainer builds.</summary>
public enum OptimizerKind { AdamW, Sgd }

/// <summary>Settings of one Trainer run.</summary>
public sealed record TrainerOptions
{
    public long Steps { get; init; } = 300;
    /// <summary>Micro-batches per optimiser step.</summary>
    public int GradAccum { get; init; } = 1;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public float Lr { get; init; } = 3e-3f;
    public float MinLrRatio { get; init; } = 0.1f;
    public int WarmupSteps { get; init; }
    public DecayKind Schedule { get; init; } = DecayKind.Cosine;
    public float WeightDecay { get; init; } = 0.1f;
    /// <summary>AdamW β1, or SGD momentum.</summary>
    public float Beta1 { get; init; } = 0.9f;
    public float Beta2 { get; init; } = 0.95f;
    /// <summary>Global gradient-norm clip.</summary>
    public float Clip { get; init; } = 1f;
    /// <summary>A step whose loss is not finite or exceeds this multiple of the running mean is skipped.</summary>
    public float SpikeFactor { get; init; } = 3f;
    /// <summary>This many skipped steps in a row stop the run as diverged (a run that skips every batch has stopped learning).</summary>
    public int MaxConsecutiveSkips { get; init; } = 10;
    /// <summary>Evaluation callbacks run every this many steps and at the last step.</summary>
    public int EvalEvery { get; init; } = 50;
    /// <summary>Checkpoint callbacks are told to save every this many steps and at the last step.</summary>
    public int CheckpointEvery { get; init; } = 100;
    /// <summary>Wall-clock budget in minutes (0 = none).</summary>
    public double MaxMinutes { get; init; }
    /// <summary>Parameter-name prefixes to freeze; each must match some parameter.</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];
}
