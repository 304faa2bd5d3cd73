// BatchRequest: one sequence handed to the ContinuousBatcher — its prompt, its GenerationOptions, how many
// alternative log-probabilities to report per token, and the callbacks that receive each token (with the text
// that became final and its log-probabilities) and the end. Cancel() may be called from any thread (a client
// that disconnects); the batcher notices before its next step and frees the sequence's cache slot.
using SharpLM.Inference.Generation;

namespace SharpLM.Inference.Serving;

/// <summary>A token the batcher produced: its id, the text that became final with it, and log-probabilities when asked for.</summary>
/// <param name="LogProb">log p of the token under the model's raw distribution (before penalties and warpers); NaN when not asked for.</param>
/// <param name="Top">The most likely alternatives (id, log p), most likely first; null when not asked for.</param>
public readonly record struct GeneratedToken(int Id, string Text, float LogProb, (int Id, float LogProb)[]? Top);

/// <summary>One generation request for <see cref="ContinuousBatcher"/>.</summary>
public sealed class BatchRequest(IReadOnlyList<int> prompt, GenerationOptions options)
{
    private volatile bool _cancelled;

    public IReadOnlyList<int> Prompt { get; } = prompt;

    public GenerationOptions Options { get; } = options;

    /// <summary>-1: no log-probabilities; 0: the chosen token's; k &gt; 0: also the k most likely tokens at each step.</summary>
    public int TopLogProbs { get; init; } = -1;

    /// <summary>Called on the batcher's thread for every generated token (stop tokens included, with empty text).</summary>
    public Action<GeneratedToken>? OnToken { get; init; }

    /// <summary>Called once on the batcher's thread when the sequence ends (after its last OnToken).</summary>
    public Action<FinishReason>? OnFinish { get; init; }

    /// <summary>Asks the batcher to end the sequence (it finishes with <see cref="FinishReason.Cancelled"/>).</summary>
    public void Cancel() => _cancelled = true;

    public bool IsCancelled => _cancelled;
}
