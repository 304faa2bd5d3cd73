// EvalModelChecks: what every IEvalModel checks of a scoring request and how each continues a prompt, in one
// place, so the autograd-backed and engine-backed models give the same errors and the same greedy tokens.
using SharpLM.Inference.Generation;

namespace SharpLM.Eval.Harness;

internal static class EvalModelChecks
{
    /// <summary>Throws unless inputs and targets have equal length within <paramref name="maxLength"/>.</summary>
    public static void Item(int inputs, int targets, int maxLength)
    {
        if (inputs != targets)
            throw new ArgumentException($"TargetLogProbs: {inputs} inputs for {targets} targets; the lengths must be equal.");
        if (inputs > maxLength)
            throw new ArgumentException($"TargetLogProbs: {inputs} tokens exceed the model's context length {maxLength}; use a rolling window.");
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/>, at most <paramref name="maxNewTokens"/> tokens and never past <paramref name="maxLength"/>.</summary>
    public static int[] Greedy(TextGenerator generator, int maxLength, IReadOnlyList<int> prompt, int maxNewTokens)
    {
        int room = Math.Min(maxNewTokens, maxLength - prompt.Count);
        if (room < 1) return [];
        return generator.Generate(prompt, new GenerationOptions { MaxNewTokens = room }).Tokens;
    }
}
