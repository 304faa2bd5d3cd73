// The pretraining run's callbacks on the Trainer: validation (loss, perplexity, bits per character and per
// byte, with an optional text sample) and progress reports in the TrainProgress form the CLI draws.
using SharpLM.Models.Transformer;
using SharpLM.Training.Data;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Pretraining;

/// <summary>One progress report.</summary>
public sealed record TrainProgress(long Step, long TotalSteps, float Loss, float Lr, float GradNorm, double TokensPerSecond, TimeSpan Eta, float? ValLoss, string? Event);

/// <summary>Validation metrics from <see cref="Pretrainer.Evaluate"/>, plus a sample at regular evaluations.</summary>
internal sealed class PretrainEvaluation(Pretrainer p, Func<DecoderModel, CorpusTokenizer, string>? sample) : ITrainerCallback
{
    public void OnEvaluate(StepInfo step)
    {
        float val = p.Evaluate();
        step.Metrics["val/loss"] = val;
        step.Metrics["val/ppl"] = Math.Exp(val);
        step.Metrics["val/bpc"] = val / Math.Log(2);
        step.Metrics["val/bpb"] = val / Math.Log(2) / p.BytesPerToken; // bits per UTF-8 byte, comparable across tokenizers
        if (sample is not null && step.Kind == StepKind.Train)
        {
            p.Model.Eval();
            step.Event = "sample: " + sample(p.Model, p.Tokenizer);
            p.Model.Train();
        }
    }
}

/// <summary>Reports each step to an IProgress.</summary>
internal sealed class ProgressCallback(IProgress<TrainProgress> progress) : ITrainerCallback
{
    public void OnStepEnd(StepInfo s) =>
        progress.Report(new TrainProgress(s.Step, s.TotalSteps, s.Loss, s.Lr, s.GradNorm, s.TokensPerSecond, s.Eta, s.ValLoss, s.Event));
}
