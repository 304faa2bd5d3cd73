// EngineEvalModel: the eval harness's IEvalModel on the inference engine — target log-probs from one
// all-positions pass per sequence (DecoderEngine.ForwardAllPositions, f32 or quantised weights straight from a
// GGUF), greedy generation through the engine's KV cache. `sharplm eval` uses it whenever the model opens on the
// engine, so a quantised GGUF is scored as it runs; DecoderEvalModel (the autograd model) is the fallback.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;

namespace SharpLM.Eval.Harness;

/// <summary>An <see cref="IEvalModel"/> over a <see cref="DecoderEngine"/> (slot 0).</summary>
public sealed class EngineEvalModel(DecoderEngine engine) : IEvalModel
{
    private readonly TextGenerator _generator = new(engine);

    public int MaxLength => engine.ContextLength;

    public double[] TargetLogProbs(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        EvalModelChecks.Item(inputs.Length, targets.Length, MaxLength);
        if (inputs.Length == 0) return [];
        int v = engine.VocabSize;
        var logits = new float[(long)inputs.Length * v];
        engine.ForwardAllPositions(inputs, 0, logits);
        var res = new double[inputs.Length];
        for (int t = 0; t < inputs.Length; t++)
        {
            int y = targets[t];
            if ((uint)y >= (uint)v) throw new ArgumentOutOfRangeException(nameof(targets), y, $"TargetLogProbs: target {y} is outside [0, {v}).");
            res[t] = LogitMath.LogProb(logits.AsSpan(t * v, v), y);
        }
        return res;
    }

    public int[] Generate(IReadOnlyList<int> prompt, int maxNewTokens) => EvalModelChecks.Greedy(_generator, MaxLength, prompt, maxNewTokens);
}
