// TextGenerator: autoregressive decoding over an ICausalLm (LlamaEngine, or a DecoderModel through
// DecoderModelLm) whose KV cache holds the sequence — one prefill pass over the prompt, then one token per step — with the sampler, stop tokens, a length limit, cancellation, a
// streaming form (IAsyncEnumerable) and prefill/decode throughput. Prompts of different lengths in a batch
// are generated one after another, each with its own cache.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using SharpLM.Inference.Sampling;
using SharpLM.Inference.Engine;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Generation;

/// <summary>Generates tokens from a causal language model.</summary>
public sealed class TextGenerator(ICausalLm model)
{
    /// <summary>Generates with the reference <see cref="DecoderModel"/> (f32, autograd modules).</summary>
    public TextGenerator(DecoderModel model) : this(new DecoderModelLm(model)) { }

    /// <summary>Generates a continuation of <paramref name="prompt"/>.</summary>
    public GenerationResult Generate(IReadOnlyList<int> prompt, GenerationOptions options, CancellationToken cancel = default)
    {
        var tokens = new List<int>();
        var stats = new Stats();
        FinishReason finish = FinishReason.Length;
        foreach (var (token, reason) in Steps(prompt, options, stats, cancel))
        {
            if (token >= 0) tokens.Add(token);
            if (reason is { } r) { finish = r; break; }
        }
        return new GenerationResult(tokens.ToArray(), finish, stats.PrefillRate, stats.DecodeRate);
    }

    /// <summary>Generates for several prompts (of any lengths).</summary>
    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, CancellationToken cancel = default)
        => prompts.Select(p => Generate(p, options, cancel)).ToList();

    /// <summary>Streams generated tokens as they are produced.</summary>
    public async IAsyncEnumerable<int> StreamAsync(IReadOnlyList<int> prompt, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        foreach (var (token, reason) in Steps(prompt, options, new Stats(), cancel))
        {
            if (token >= 0) yield return token;
            if (reason is not null) yield break;
            await Task.Yield();
        }
    }

    private sealed class Stats
    {
        public double PrefillRate, DecodeRate;
    }

    private IEnumerable<(int Token, FinishReason? Reason)> Steps(IReadOnlyList<int> prompt, GenerationOptions options, Stats stats, CancellationToken cancel)
    {
        int vocab = model.VocabSize;
        options.Validate(vocab, model.ContextLength, prompt.Count);
        foreach (var id in prompt)
            if (id < 0 || id >= vocab) throw new ArgumentOutOfRangeException(nameof(prompt), id, $"TextGenerator: prompt token {id} is outside the vocabulary [0, {vocab}).");
        var sampler = new TokenSampler(options.Sampling, vocab);
        var history = new List<int>(prompt);
        var logits = new float[vocab];
        var sw = Stopwatch.StartNew();
        model.Forward(prompt.ToArray(), 0, logits);
        stats.PrefillRate = prompt.Count / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
        sw.Restart();
        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            if (cancel.IsCancellationRequested) { yield return (-1, FinishReason.Cancelled); yield break; }
            int next = sampler.Next(logits, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history));
            history.Add(next);
            stats.DecodeRate = (step + 1) / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
            if (options.StopTokens.Contains(next)) { yield return (next, FinishReason.Stop); yield break; }
            if (step == options.MaxNewTokens - 1) { yield return (next, FinishReason.Length); yield break; }
            yield return (next, null);
            model.Forward([next], history.Count - 1, logits);
        }
    }
}
