// SamplingOptions: every knob of next-token selection, validated up front so a bad request (top_p 1.5, a
// negative temperature) fails before any model runs. Semantics follow Hugging Face generate() for
// temperature/top-k/top-p/min-p/repetition penalty and the OpenAI API for frequency/presence penalties and
// logit bias.
namespace SharpLM.Inference.Sampling;

/// <summary>How the next token is chosen from the logits.</summary>
public sealed record SamplingOptions
{
    /// <summary>0 = greedy (argmax); otherwise logits are divided by it.</summary>
    public float Temperature { get; init; } = 1f;
    /// <summary>Keep the k most likely tokens (0 = off).</summary>
    public int TopK { get; init; }
    /// <summary>Nucleus: keep the smallest set whose probability reaches p (1 = off).</summary>
    public float TopP { get; init; } = 1f;
    /// <summary>Drop tokens less likely than min_p × the most likely one (0 = off).</summary>
    public float MinP { get; init; }
    /// <summary>CTRL-style penalty on tokens already present (1 = off): positive logits ÷ p, negative × p.</summary>
    public float RepetitionPenalty { get; init; } = 1f;
    /// <summary>OpenAI frequency penalty: logit −= count × value.</summary>
    public float FrequencyPenalty { get; init; }
    /// <summary>OpenAI presence penalty: logit −= value if the token occurred.</summary>
    public float PresencePenalty { get; init; }
    /// <summary>Added to the logits of the given token ids.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }
    /// <summary>Seed of the sampling generator (same seed, same tokens).</summary>
    public ulong Seed { get; init; }

    /// <summary>Greedy decoding.</summary>
    public static readonly SamplingOptions Greedy = new() { Temperature = 0f };

    /// <summary>Throws naming the option and its valid range.</summary>
    public SamplingOptions Validate(int vocabSize)
    {
        static void Check(bool ok, string msg) { if (!ok) throw new ArgumentOutOfRangeException(null, $"SamplingOptions: {msg}"); }
        Check(float.IsFinite(Temperature) && Temperature >= 0, $"temperature must be >= 0, got {Temperature}.");
        Check(TopK >= 0, $"top_k must be >= 0, got {TopK}.");
        Check(TopP > 0 && TopP <= 1, $"top_p must be in (0, 1], got {TopP}.");
        Check(MinP >= 0 && MinP <= 1, $"min_p must be in [0, 1], got {MinP}.");
        Check(float.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0, $"repetition_penalty must be > 0, got {RepetitionPenalty}.");
        Check(float.IsFinite(FrequencyPenalty) && FrequencyPenalty is >= -2 and <= 2, $"frequency_penalty must be in [-2, 2], got {FrequencyPenalty}.");
        Check(float.IsFinite(PresencePenalty) && PresencePenalty is >= -2 and <= 2, $"presence_penalty must be in [-2, 2], got {PresencePenalty}.");
        if (LogitBias is not null)
            foreach (var (id, bias) in LogitBias)
                Check(id >= 0 && id < vocabSize && float.IsFinite(bias) || float.IsNegativeInfinity(bias) && id >= 0 && id < vocabSize,
                    $"logit_bias token {id} must be in [0, {vocabSize}) with a finite bias (or -inf), got {bias}.");
        return this;
    }
}
