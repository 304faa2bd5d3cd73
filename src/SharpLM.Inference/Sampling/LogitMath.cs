// LogitMath: log-probabilities from a row of logits, in double (max-shifted log-sum-exp), shared by
// perplexity over an ICausalLm and the evaluation harness's log-likelihoods.
namespace SharpLM.Inference.Sampling;

public static class LogitMath
{
    /// <summary>log Σ exp(logits), computed stably around the maximum.</summary>
    public static double LogSumExp(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>log softmax(logits)[target]; throws naming the target when it is outside the row.</summary>
    public static double LogProb(ReadOnlySpan<float> logits, int target)
    {
        if ((uint)target >= (uint)logits.Length)
            throw new ArgumentOutOfRangeException(nameof(target), target, $"LogProb: target {target} is outside [0, {logits.Length}).");
        return logits[target] - LogSumExp(logits);
    }
}
