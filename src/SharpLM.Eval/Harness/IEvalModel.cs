// IEvalModel: the two things an evaluation needs from a language model — per-token log-probabilities of a
// sequence (log-likelihood, multiple choice, perplexity) and greedy continuation (generate-until). Any
// model plugs in; DecoderEvalModel adapts SharpLM's DecoderModel and TextGenerator.
namespace SharpLM.Eval.Harness;

public interface IEvalModel
{
    /// <summary>Longest token sequence one forward pass accepts.</summary>
    int MaxLength { get; }

    /// <summary>log p(targets[t] | inputs[0..t]) for every t (natural log); the two spans have equal length.</summary>
    double[] TargetLogProbs(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets);

    /// <summary>
    /// <see cref="TargetLogProbs"/> for several sequences at once; models that can batch override it (the
    /// default runs them one by one).
    /// </summary>
    double[][] TargetLogProbsBatch(IReadOnlyList<(int[] Inputs, int[] Targets)> items) =>
        items.Select(it => TargetLogProbs(it.Inputs, it.Targets)).ToArray();

    /// <summary>Greedy continuation of <paramref name="prompt"/>, at most <paramref name="maxNewTokens"/> tokens.</summary>
    int[] Generate(IReadOnlyList<int> prompt, int maxNewTokens);
}

public static class EvalModelExtensions
{
    /// <summary>log p(tokens[t] | tokens[..t]) for t = 1..n−1 (the first token has no context and is not scored).</summary>
    public static double[] TokenLogProbs(this IEvalModel model, ReadOnlySpan<int> tokens) =>
        tokens.Length < 2 ? [] : model.TargetLogProbs(tokens[..^1], tokens[1..]);
}
