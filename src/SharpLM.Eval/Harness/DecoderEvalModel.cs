// DecoderEvalModel: IEvalModel over a SharpLM DecoderModel — one no-grad forward per call, log-softmax
// taken in float64 from the f32 logits, greedy generation through TextGenerator (KV cache).
using SharpLM.Inference.Generation;
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
        if (inputs.Length != targets.Length)
            throw new ArgumentException($"TargetLogProbs: {inputs.Length} inputs for {targets.Length} targets; the lengths must be equal.");
        if (inputs.Length == 0) return [];
        if (inputs.Length > MaxLength)
            throw new ArgumentException($"TargetLogProbs: {inputs.Length} tokens exceed the model's context length {MaxLength}; use a rolling window.");
        int vocab = model.Config.VocabSize;
        float[] logits;
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            var ids = Tensor.FromArray(inputs, 1, inputs.Length);  // (1, T)
            logits = model.Forward(ids).ToArray();                  // (1, T, V)
        }
        var res = new double[inputs.Length];
        for (int t = 0; t < inputs.Length; t++)
        {
            var row = logits.AsSpan(t * vocab, vocab);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            int y = targets[t];
            if ((uint)y >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(targets), y, $"TargetLogProbs: target {y} is outside [0, {vocab}).");
            res[t] = row[y] - max - Math.Log(sum);
        }
        return res;
    }

    public int[] Generate(IReadOnlyList<int> prompt, int maxNewTokens)
    {
        int room = Math.Min(maxNewTokens, MaxLength - prompt.Count);
        if (room < 1) return [];
        return _generator.Generate(prompt, new GenerationOptions { MaxNewTokens = room }).Tokens;
    }
}
