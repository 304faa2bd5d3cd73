// GenerationOptions: what to generate beyond the sampling knobs — length limit, stop tokens, stop strings
// (with the tokenizer's decode, which also gives text results and text streaming).
using SharpLM.Inference.Sampling;

namespace SharpLM.Inference.Generation;

/// <summary>Options of one generation request.</summary>
public sealed record GenerationOptions
{
    /// <summary>Maximum number of new tokens.</summary>
    public int MaxNewTokens { get; init; } = 64;
    /// <summary>Generation stops after emitting any of these ids (EOS).</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];
    /// <summary>Next-token selection.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>Generation stops when the generated text contains any of these strings; the text ends before it. Needs <see cref="Detokenize"/>.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>The tokenizer's decode (ids → text); with it, results carry the generated text and text can be streamed.</summary>
    public Func<int[], string>? Detokenize { get; init; }

    public GenerationOptions Validate(int vocabSize, int contextLength, int promptLength)
    {
        if (MaxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "GenerationOptions: max_new_tokens must be at least 1.");
        if (promptLength < 1) throw new ArgumentException("GenerationOptions: the prompt must contain at least one token.");
        if (promptLength + MaxNewTokens > contextLength)
            throw new ArgumentException($"GenerationOptions: prompt of {promptLength} tokens + {MaxNewTokens} new tokens exceeds the context length {contextLength}.");
        foreach (var s in StopTokens)
            if (s < 0 || s >= vocabSize) throw new ArgumentOutOfRangeException(nameof(StopTokens), s, $"GenerationOptions: stop token {s} is outside [0, {vocabSize}).");
        TextStreamer.CheckStopStrings(StopStrings, "GenerationOptions");
        if (StopStrings.Count > 0 && Detokenize is null)
            throw new ArgumentException("GenerationOptions: stop strings need Detokenize (the tokenizer's decode) to see the generated text.");
        Sampling.Validate(vocabSize);
        return this;
    }
}

/// <summary>Why generation ended.</summary>
public enum FinishReason { Length, Stop, Cancelled }

/// <summary>Result of a finished generation.</summary>
public sealed record GenerationResult(int[] Tokens, FinishReason Finish, double PrefillTokensPerSecond, double DecodeTokensPerSecond)
{
    /// <summary>The generated text (cut before a stop string), when the options had <see cref="GenerationOptions.Detokenize"/>; else null.</summary>
    public string? Text { get; init; }
}

/// <summary>Results of a batch, in prompt order, with aggregate throughput over all its sequences.</summary>
public sealed record BatchGenerationResult(IReadOnlyList<GenerationResult> Results, double PrefillTokensPerSecond, double DecodeTokensPerSecond);
