// SequenceState: one sequence being generated — its validated request, its own sampler (seeded from its own
// options), the history the penalties look at, and the stop/length rules. The single-prompt loop and the
// batched loop both drive it, so a token is chosen and a sequence ends by the same rules in both (stop
// tokens, stop strings through its TextStreamer, the length limit).
using System.Runtime.InteropServices;
using SharpLM.Inference.Sampling;

namespace SharpLM.Inference.Generation;

internal sealed class SequenceState
{
    private readonly GenerationOptions _options;
    private readonly TokenSampler _sampler;
    private readonly List<int> _history;
    private readonly TextStreamer? _text;
    private string _pendingText = "";

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
        if (options.Detokenize is { } detok) _text = new TextStreamer(detok, options.StopStrings);
    }

    /// <summary>The generated text so far (null without a detokenizer).</summary>
    public string? Text => _text?.Text;

    /// <summary>Text that became final since the last call (empty without a detokenizer).</summary>
    public string TakeText()
    {
        var t = _pendingText;
        _pendingText = "";
        return t;
    }

    /// <summary>The sequence ended from outside (cancellation): releases held-back text.</summary>
    public void Cancel()
    {
        if (_text is not null) _pendingText += _text.Finish();
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
        FinishReason? end = null;
        if (_options.StopTokens.Contains(next)) end = FinishReason.Stop; // the stop token itself is not text
        else if (_text is not null)
        {
            _pendingText += _text.Push(next);
            if (_text.Stopped) end = FinishReason.Stop;
        }
        if (end is null && Length - PromptLength == _options.MaxNewTokens) end = FinishReason.Length;
        if (end is not null && _text is not null) _pendingText += _text.Finish();
        return end;
    }
}
