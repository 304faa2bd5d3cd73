// LanguageModelMetrics: cross-entropy (mean negative log-likelihood per token, nats), perplexity = exp(CE),
// bits per byte = total NLL / (ln 2 · UTF-8 bytes) as in lm-evaluation-harness's loglikelihood_rolling
// tasks, and rolling-window scoring of a document longer than the context — windows of at most max_length
// tokens advancing by stride, each scoring only tokens not scored before with the rest of the window as
// context (Hugging Face's "Perplexity of fixed-length models" method; stride = max_length gives disjoint
// windows, a smaller stride gives every token more context).
using SharpLM.Eval.Harness;

namespace SharpLM.Eval.Metrics.LanguageModel;

public static class LanguageModelMetrics
{
    public static double CrossEntropy(IReadOnlyCollection<double> tokenLogProbs)
    {
        Check.NotEmpty("cross_entropy", tokenLogProbs, "the token log-probability list");
        return -tokenLogProbs.Sum() / tokenLogProbs.Count;
    }

    public static double Perplexity(IReadOnlyCollection<double> tokenLogProbs) => Math.Exp(CrossEntropy(tokenLogProbs));

    /// <summary>Total negative log-likelihood (nats) over <paramref name="utf8Bytes"/> bytes, in bits per byte.</summary>
    public static double BitsPerByte(double totalNll, long utf8Bytes)
    {
        if (utf8Bytes <= 0) throw new ArgumentException($"bits_per_byte: the text has {utf8Bytes} bytes; it must be non-empty.");
        return totalNll / (Math.Log(2) * utf8Bytes);
    }

    /// <summary>
    /// log p(tokens[t] | context) for t = 1..n−1 scored with windows of <paramref name="maxLength"/> tokens
    /// advancing by <paramref name="stride"/> (defaults: the model's context length, stride = max length).
    /// </summary>
    public static double[] RollingLogProbs(IEvalModel model, IReadOnlyList<int> tokens, int? maxLength = null, int? stride = null)
    {
        int max = maxLength ?? model.MaxLength, step = stride ?? max;
        if (max < 2 || max > model.MaxLength) throw new ArgumentOutOfRangeException(nameof(maxLength), max, $"rolling perplexity: window must be in [2, {model.MaxLength}].");
        if (step < 1 || step > max) throw new ArgumentOutOfRangeException(nameof(stride), step, $"rolling perplexity: stride must be in [1, {max}].");
        var res = new double[Math.Max(0, tokens.Count - 1)];
        int scored = 1; // tokens[0] has no context
        var all = tokens.ToArray();
        for (int begin = 0; scored < tokens.Count; begin += step)
        {
            int end = Math.Min(begin + max, tokens.Count);
            var lp = model.TokenLogProbs(all.AsSpan(begin, end - begin)); // lp[j] scores token begin + j + 1
            for (int t = Math.Max(scored, begin + 1); t < end; t++) res[t - 1] = lp[t - begin - 1];
            scored = Math.Max(scored, end);
        }
        return res;
    }
}
