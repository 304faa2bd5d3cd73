// TextGenerator: autoregressive decoding over an ICausalLm (DecoderEngine, or a DecoderModel through
// DecoderModelLm) whose KV cache holds the sequence — one prefill pass over the prompt, then one token per
// step — with the sampler, stop tokens, stop strings, a length limit, cancellation, streaming forms of tokens
// and of text (IAsyncEnumerable; text through TextStreamer) and
// prefill/decode throughput. Several prompts (of any lengths) run as one batch with continuous batching
// (BatchGenerator) when the model has cache slots (IBatchedCausalLm, e.g. DecoderEngine opened with
// maxSequences > 1), otherwise one after another.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using SharpLM.Inference.Engine;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Generation;

/// <summary>Generates tokens from a causal language model.</summary>
public sealed class TextGenerator(ICausalLm model)
{
    /// <summary>Generates with the reference <see cref="DecoderModel"/> (f32, autograd modules).</summary>
    public TextGenerator(DecoderModel model) : this(new DecoderModelLm(model)) { }

    /// <summary>
    /// Generates a continuation of <paramref name="prompt"/>. With <see cref="GenerationOptions.Detokenize"/>,
    /// <paramref name="onText"/> receives each piece of text as it becomes final and the result carries the text.
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<int> prompt, GenerationOptions options, CancellationToken cancel = default, Action<string>? onText = null)
    {
        var tokens = new List<int>();
        var text = new System.Text.StringBuilder();
        var stats = new GenerationStats();
        FinishReason finish = FinishReason.Length;
        foreach (var (token, reason, piece) in Steps(prompt, options, stats, cancel))
        {
            if (token >= 0) tokens.Add(token);
            if (piece.Length > 0) { text.Append(piece); onText?.Invoke(piece); }
            if (reason is { } r) { finish = r; break; }
        }
        return new GenerationResult(tokens.ToArray(), finish, stats.PrefillRate, stats.DecodeRate) { Text = options.Detokenize is null ? null : text.ToString() };
    }

    /// <summary>
    /// Generates for several prompts (of any lengths) with the same options, except that prompt i samples
    /// with seed <c>options.Sampling.Seed + i</c>, so sampled sequences differ yet every run repeats
    /// (prompt 0 gets exactly the tokens <see cref="Generate(IReadOnlyList{int}, GenerationOptions, CancellationToken)"/> gives).
    /// </summary>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, CancellationToken cancel = default)
        => GenerateBatch(prompts, PerPrompt(options, prompts.Count), cancel).Results;

    /// <summary>
    /// Generates for several prompts, prompt i with <paramref name="options"/>[i], as one batch when the model
    /// has cache slots (at most MaxSequences at a time; a finished sequence's slot takes the next prompt),
    /// otherwise one after another. Every request is validated before anything runs. The rates in the
    /// result (and in each of its GenerationResults) are aggregate tokens/s over all sequences.
    /// </summary>
    public BatchGenerationResult GenerateBatch(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<GenerationOptions> options, CancellationToken cancel = default)
        => BatchGenerator.Run(model as IBatchedCausalLm ?? new BatchGenerator.OneSlot(model), prompts, options, cancel);

    /// <summary>Options for prompt i of a batch: <paramref name="options"/> with sampling seed Seed + i.</summary>
    public static IReadOnlyList<GenerationOptions> PerPrompt(GenerationOptions options, int count) =>
        Enumerable.Range(0, count).Select(i => options with { Sampling = options.Sampling with { Seed = unchecked(options.Sampling.Seed + (ulong)i) } }).ToArray();

    /// <summary>Streams generated tokens as they are produced.</summary>
    public async IAsyncEnumerable<int> StreamAsync(IReadOnlyList<int> prompt, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        foreach (var (token, reason, _) in Steps(prompt, options, new GenerationStats(), cancel))
        {
            if (token >= 0) yield return token;
            if (reason is not null) yield break;
            await Task.Yield();
        }
    }

    /// <summary>
    /// Streams the generated text in pieces as they become final (incremental detokenisation, cut before a
    /// stop string); needs <see cref="GenerationOptions.Detokenize"/>.
    /// </summary>
    public async IAsyncEnumerable<string> StreamTextAsync(IReadOnlyList<int> prompt, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        if (options.Detokenize is null) throw new ArgumentException("TextGenerator.StreamTextAsync: the options need Detokenize (the tokenizer's decode).", nameof(options));
        foreach (var (_, reason, piece) in Steps(prompt, options, new GenerationStats(), cancel))
        {
            if (piece.Length > 0) yield return piece;
            if (reason is not null) yield break;
            await Task.Yield();
        }
    }

    private IEnumerable<(int Token, FinishReason? Reason, string Text)> Steps(IReadOnlyList<int> prompt, GenerationOptions options, GenerationStats stats, CancellationToken cancel)
    {
        var seq = new SequenceState(prompt, options, model.VocabSize, model.ContextLength);
        var logits = new float[model.VocabSize];
        var sw = Stopwatch.StartNew();
        model.Forward(seq.Tokens, 0, logits);
        stats.PrefillTokens = prompt.Count;
        stats.PrefillSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        while (true)
        {
            if (cancel.IsCancellationRequested) { seq.Cancel(); yield return (-1, FinishReason.Cancelled, seq.TakeText()); yield break; }
            var reason = seq.Accept(logits);
            stats.DecodeTokens = seq.Length - seq.PromptLength;
            stats.DecodeSeconds = sw.Elapsed.TotalSeconds;
            yield return (seq.Last, reason, seq.TakeText());
            if (reason is not null) yield break;
            model.Forward([seq.Last], seq.Length - 1, logits);
        }
    }
}
