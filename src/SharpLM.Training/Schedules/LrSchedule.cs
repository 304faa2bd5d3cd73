// Learning-rate schedules as a function of the step: linear warmup followed by cosine, linear or
// constant decay, and warmup-stable-decay (WSD: hold the peak, then decay linearly over the last
// fraction of training). All return the learning rate to use for step t (0-based).
namespace SharpLM.Training.Schedules;

/// <summary>Shape of the decay after warmup.</summary>
public enum DecayKind { Cosine, Linear, Constant, WarmupStableDecay }

/// <summary>A learning-rate schedule.</summary>
public sealed record LrSchedule(float PeakLr, int WarmupSteps, int TotalSteps, DecayKind Decay = DecayKind.Cosine, float MinLrRatio = 0.1f, float DecayFraction = 0.2f)
{
    /// <summary>Learning rate at step <paramref name="t"/>.</summary>
    public float At(long t)
    {
        if (WarmupSteps > 0 && t < WarmupSteps) return PeakLr * (t + 1) / WarmupSteps;
        float min = PeakLr * MinLrRatio;
        long span = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((t - WarmupSteps) / (double)span, 0, 1);
        return Decay switch
        {
            DecayKind.Constant => PeakLr,
            DecayKind.Linear => (float)(PeakLr - (PeakLr - min) * progress),
            DecayKind.Cosine => (float)(min + 0.5 * (PeakLr - min) * (1 + Math.Cos(Math.PI * progress))),
            _ => progress < 1 - DecayFraction ? PeakLr : (float)(PeakLr - (PeakLr - min) * (progress - (1 - DecayFraction)) / DecayFraction),
        };
    }
}
