// SequenceState: one sequence being generated — its validated request, its own sampler (seeded from its own
// options), the history the penalties look at, and the stop/length rules. The single-prompt loop and the
// batched loop both drive it, so a token is chosen and a sequence ends by the same rules in both.
using System.Runtime.InteropServices;
using SharpLM.Inference.Sampling;

namespace SharpLM.Inference.Generation;

internal sealed class SequenceState
{
    private readonly GenerationOptions _options;
    private readonly TokenSampler _sampler;
    private readonly List<int> _history;

    /// <summary>Validates the request (prompt tokens in the vocabulary, prompt + max tokens within the context).</summary>
    public SequenceState(IReadOnlyList<int> prompt, GenerationOptions options, int vocabSize, int contextLength)
    {
        options.Validate(vocabSize, contextLength, prompt.Count);
        foreach (var id in prompt)
            if (id < 0 || id >= vocabSize) throw new ArgumentOutOfRangeException(nameof(prompt), id, $"TextGenerator: prompt token {id} is outside the vocabulary [0, {vocabSize}).");
        _options = options;
        _sampler = new TokenSampler(options.Sampling, vocabSize);
        _history = new List<int>(prompt.Count + options.MaxNewTokens);
        _history.AddRange(prompt);
        PromptLength = prompt.Count;
    }

    public int PromptLength { get; }

    /// <summary>Prompt plus generated tokens (the next token is fed at position Length - 1).</summary>
    public int Length => _history.Count;

    public int Last => _history[^1];

    /// <summary>The tokens generated so far.</summary>
    public ReadOnlySpan<int> Generated => CollectionsMarshal.AsSpan(_history)[PromptLength..];

    /// <summary>The prompt followed by the generated tokens.</summary>
    public ReadOnlySpan<int> Tokens => CollectionsMarshal.AsSpan(_history);

    /// <summary>Picks the next token from <paramref name="logits"/> (processed in place); returns why the sequence ends, or null.</summary>
    public FinishReason? Accept(Span<float> logits)
    {
        int next = _sampler.Next(logits, CollectionsMarshal.AsSpan(_history));
        _history.Add(next);
        if (_options.StopTokens.Contains(next)) return FinishReason.Stop;
        return Length - PromptLength == _options.MaxNewTokens ? FinishReason.Length : null;
    }
}
