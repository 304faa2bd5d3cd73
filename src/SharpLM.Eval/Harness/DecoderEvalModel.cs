// DecoderEvalModel: IEvalModel over a SharpLM DecoderModel — one no-grad forward per call (or per batch:
// sequences are right-padded, which is exact for a causal model because no position sees a later one),
// log-softmax taken in float64 from the f32 logits, greedy generation through TextGenerator (KV cache).
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;

namespace SharpLM.Eval.Harness;

public sealed class DecoderEvalModel(DecoderModel model) : IEvalModel
{
    private readonly TextGenerator _generator = new(model);

    public int MaxLength => model.Config.MaxPositions;

    public double[] TargetLogProbs(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        EvalModelChecks.Item(inputs.Length, targets.Length, MaxLength);
        if (inputs.Length == 0) return [];
        return TargetLogProbsBatch([(inputs.ToArray(), targets.ToArray())])[0];
    }

    public double[][] TargetLogProbsBatch(IReadOnlyList<(int[] Inputs, int[] Targets)> items)
    {
        if (items.Count == 0) return [];
        int vocab = model.Config.VocabSize, b = items.Count, tmax = items.Max(i => i.Inputs.Length);
        foreach (var (inp, tgt) in items) EvalModelChecks.Item(inp.Length, tgt.Length, MaxLength);
        if (tmax == 0) return items.Select(_ => Array.Empty<double>()).ToArray();
        var padded = new int[b * tmax];
        for (int i = 0; i < b; i++) items[i].Inputs.CopyTo(padded, i * tmax);
        float[] logits;
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
            logits = model.Forward(Tensor.FromArray(padded, b, tmax)).ToArray();              // (B, Tmax, V)
        var res = new double[b][];
        for (int i = 0; i < b; i++)
        {
            var (inp, tgt) = items[i];
            res[i] = new double[inp.Length];
            for (int t = 0; t < inp.Length; t++)
            {
                int y = tgt[t];
                if ((uint)y >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(items), y, $"TargetLogProbs: target {y} is outside [0, {vocab}).");
                res[i][t] = LogitMath.LogProb(logits.AsSpan((i * tmax + t) * vocab, vocab), y);
            }
        }
        return res;
    }

    public int[] Generate(IReadOnlyList<int> prompt, int maxNewTokens) => EvalModelChecks.Greedy(_generator, MaxLength, prompt, maxNewTokens);
}
