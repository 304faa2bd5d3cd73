// LogitsProcessors: the steps between a model's logits and a sample, each in place on one row of logits,
// in this order: logit bias, repetition penalty, frequency/presence penalties, temperature, top-k, top-p,
// min-p. Filtered tokens are set to −∞. Each step matches the reference semantics named on it; the order
// matches Hugging Face generate() (processors before warpers; temperature, top-k, top-p, min-p).
using System.Numerics.Tensors;

namespace SharpLM.Inference.Sampling;

/// <summary>In-place transformations of a row of logits.</summary>
public static class LogitsProcessors
{
    /// <summary>OpenAI logit_bias: adds the bias of each listed token.</summary>
    public static void LogitBias(Span<float> logits, IReadOnlyDictionary<int, float> bias)
    {
        foreach (var (id, b) in bias) logits[id] += b;
    }

    /// <summary>HF RepetitionPenaltyLogitsProcessor: for every token in <paramref name="history"/>, logit ÷ p if positive, × p otherwise.</summary>
    public static void RepetitionPenalty(Span<float> logits, ReadOnlySpan<int> history, float penalty)
    {
        if (penalty == 1f) return;
        var seen = new HashSet<int>();
        foreach (var id in history)
        {
            if (!seen.Add(id)) continue;
            logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
        }
    }

    /// <summary>OpenAI penalties: logit −= count·frequency + [count &gt; 0]·presence.</summary>
    public static void FrequencyPresence(Span<float> logits, ReadOnlySpan<int> history, float frequency, float presence)
    {
        if (frequency == 0 && presence == 0) return;
        var counts = new Dictionary<int, int>();
        foreach (var id in history) counts[id] = counts.GetValueOrDefault(id) + 1;
        foreach (var (id, n) in counts) logits[id] -= n * frequency + presence;
    }

    /// <summary>logits ÷ temperature (temperature &gt; 0).</summary>
    public static void Temperature(Span<float> logits, float temperature)
    {
        if (temperature != 1f) TensorPrimitives.Divide(logits, temperature, logits);
    }

    /// <summary>HF TopKLogitsWarper: removes logits below the k-th largest (ties with it are kept).</summary>
    public static void TopK(Span<float> logits, int k)
    {
        if (k <= 0 || k >= logits.Length) return;
        var sorted = logits.ToArray();
        Array.Sort(sorted);
        float threshold = sorted[^k];
        for (int i = 0; i < logits.Length; i++) if (logits[i] < threshold) logits[i] = float.NegativeInfinity;
    }

    /// <summary>
    /// HF TopPLogitsWarper: sort ascending, accumulate softmax probabilities, remove tokens whose cumulative
    /// probability is ≤ 1 − p (the most likely token always stays).
    /// </summary>
    public static void TopP(Span<float> logits, float p)
    {
        if (p >= 1f) return;
        int n = logits.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = logits.ToArray();
        Array.Sort(keys, order); // ascending; the sort is stable enough for ties: they fall on either side together
        var probs = Softmax(keys);
        double cum = 0;
        for (int r = 0; r < n - 1; r++)
        {
            cum += probs[r];
            if (cum <= 1 - p) logits[order[r]] = float.NegativeInfinity;
            else break;
        }
    }

    /// <summary>HF MinPLogitsWarper: removes tokens with probability &lt; min_p × the top probability (keeps at least one).</summary>
    public static void MinP(Span<float> logits, float minP)
    {
        if (minP <= 0) return;
        var probs = Softmax(logits.ToArray());
        double top = probs.Max();
        for (int i = 0; i < logits.Length; i++) if (probs[i] < minP * top) logits[i] = float.NegativeInfinity;
    }

    /// <summary>Numerically stable softmax in double.</summary>
    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (var v in logits) if (v > max) max = v;
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) { p[i] = float.IsNegativeInfinity(logits[i]) ? 0 : Math.Exp(logits[i] - max); sum += p[i]; }
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>Applies every enabled step of <paramref name="o"/> in the documented order.</summary>
    public static void Apply(Span<float> logits, ReadOnlySpan<int> history, SamplingOptions o)
    {
        if (o.LogitBias is { Count: > 0 } bias) LogitBias(logits, bias);
        RepetitionPenalty(logits, history, o.RepetitionPenalty);
        FrequencyPresence(logits, history, o.FrequencyPenalty, o.PresencePenalty);
        if (o.Temperature == 0) return; // greedy: warpers do not change the argmax
        Temperature(logits, o.Temperature);
        TopK(logits, o.TopK);
        TopP(logits, o.TopP);
        MinP(logits, o.MinP);
    }
}
