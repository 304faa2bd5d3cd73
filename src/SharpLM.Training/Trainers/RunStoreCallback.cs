// RunStoreCallback: writes every step's metrics (training and evaluation) to the run's SQLite store.
using SharpLM.Training.Runs;

namespace SharpLM.Training.Trainers;

/// <summary>Logs <see cref="StepInfo.Metrics"/> under <paramref name="runId"/>.</summary>
public sealed class RunStoreCallback(RunStore store, long runId) : ITrainerCallback
{
    public void OnStepEnd(StepInfo step) => store.Log(runId, step.Step, step.Metrics);
}
