// CheckpointCallback: tells a save action when to write a checkpoint — every N steps, at the last step, and
// when a run is cancelled or stops at its time budget (so a resume loses nothing). What a checkpoint holds
// is the save action's business (CheckpointDirectory for decoders).
namespace SharpLM.Training.Trainers;

/// <summary>Calls <paramref name="save"/>(step) on the checkpoint cadence.</summary>
public sealed class CheckpointCallback(Action<long> save, int every, long totalSteps) : ITrainerCallback
{
    public void OnStepEnd(StepInfo step)
    {
        if (step.Kind == StepKind.Train && (step.Step % every == 0 || step.Step == totalSteps)) save(step.Step);
    }

    public void OnRunEnd(TrainerOutcome outcome)
    {
        if (outcome.Cancelled || outcome.OutOfTime) save(outcome.StepsDone);
    }
}
