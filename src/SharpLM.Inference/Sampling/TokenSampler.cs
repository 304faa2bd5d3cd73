// TokenSampler: picks the next token from one row of logits after the processors, greedily (temperature 0)
// or by inverse-CDF sampling from the softmax with a seeded generator, so the same seed gives the same
// tokens on every machine.
using SharpLM.Tensors.Rng;

namespace SharpLM.Inference.Sampling;

/// <summary>Seeded next-token selection.</summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _o;
    private readonly Generator _rng;

    public TokenSampler(SamplingOptions options, int vocabSize)
    {
        _o = options.Validate(vocabSize);
        _rng = new Generator(options.Seed);
    }

    /// <summary>Processes <paramref name="logits"/> in place and returns the chosen token id.</summary>
    public int Next(Span<float> logits, ReadOnlySpan<int> history)
    {
        LogitsProcessors.Apply(logits, history, _o);
        if (_o.Temperature == 0) return Argmax(logits);
        var p = LogitsProcessors.Softmax(logits);
        double u = _rng.NextDouble(), cum = 0;
        int last = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == 0) continue;
            last = i;
            cum += p[i];
            if (u < cum) return i;
        }
        return last; // rounding left u just above the total
    }

    /// <summary>Index of the largest logit (first on ties, like torch.argmax).</summary>
    public static int Argmax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
