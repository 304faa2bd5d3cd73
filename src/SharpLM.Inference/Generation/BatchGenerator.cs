// BatchGenerator: generates several prompts at once on an IBatchedCausalLm with continuous batching. Prompts
// wait in a queue; whenever slots are free the waiting prompts are prefilled together in one ForwardBatch,
// then every unfinished sequence gets one token per decode step, all in one ForwardBatch (one weight stream
// per step for the whole batch). A finished sequence (stop token or its max tokens) leaves the batch and
// its slot takes the next waiting prompt. Each sequence keeps its own sampler, stop tokens and limit
// (SequenceState). Throughput is aggregate: prompt tokens / seconds in prefill passes, generated tokens /
// all other seconds (decode passes and sampling), the split TextGenerator uses for one prompt.
using System.Diagnostics;
using System.Runtime.InteropServices;
using SharpLM.Inference.Engine;

namespace SharpLM.Inference.Generation;

internal static class BatchGenerator
{
    public static BatchGenerationResult Run(IBatchedCausalLm model, IReadOnlyList<IReadOnlyList<int>> prompts,
                                            IReadOnlyList<GenerationOptions> options, CancellationToken cancel)
    {
        if (prompts.Count != options.Count)
            throw new ArgumentException($"TextGenerator: {prompts.Count} prompts but {options.Count} options; give one options record per prompt.", nameof(options));
        int vocab = model.VocabSize;
        // Every request is validated before anything runs.
        var seqs = prompts.Select((p, i) => new SequenceState(p, options[i], vocab, model.ContextLength)).ToArray();
        var finish = new FinishReason?[seqs.Length];
        var stats = new GenerationStats();
        var waiting = new Queue<int>(Enumerable.Range(0, seqs.Length));
        var free = new Stack<int>(Enumerable.Range(0, model.MaxSequences).Reverse());   // lowest slot first
        var running = new List<(int Seq, int Slot)>();
        var step = new List<(int Seq, int Slot)>();
        var tokens = new List<int>();
        var chunks = new List<SequenceChunk>();
        var logits = new float[(long)model.MaxSequences * vocab];
        var clock = new Stopwatch();

        // One ForwardBatch over `step` (whole prompts when prefilling, else each sequence's last token), then
        // each sequence picks its next token; survivors stay in `running`, finished ones free their slot.
        void Run(bool prefill)
        {
            tokens.Clear(); chunks.Clear();
            foreach (var (s, slot) in step)
            {
                var seq = seqs[s];
                if (prefill) { tokens.AddRange(seq.Tokens); chunks.Add(new SequenceChunk(slot, 0, seq.Length)); }
                else { tokens.Add(seq.Last); chunks.Add(new SequenceChunk(slot, seq.Length - 1, 1)); }
            }
            clock.Restart();
            model.ForwardBatch(CollectionsMarshal.AsSpan(tokens), CollectionsMarshal.AsSpan(chunks), logits);
            if (prefill) { stats.PrefillTokens += tokens.Count; stats.PrefillSeconds += clock.Elapsed.TotalSeconds; clock.Restart(); }
            for (int i = 0; i < step.Count; i++)
            {
                var (s, slot) = step[i];
                finish[s] = seqs[s].Accept(logits.AsSpan(i * vocab, vocab));
                stats.DecodeTokens++;
                if (finish[s] is null) running.Add((s, slot));
                else free.Push(slot);
            }
            stats.DecodeSeconds += clock.Elapsed.TotalSeconds;
        }

        while (waiting.Count > 0 || running.Count > 0)
        {
            if (cancel.IsCancellationRequested)
            {
                foreach (var (s, _) in running) { finish[s] = FinishReason.Cancelled; seqs[s].Cancel(); }
                foreach (var s in waiting) finish[s] = FinishReason.Cancelled;
                break;
            }
            step.Clear();
            while (waiting.Count > 0 && free.Count > 0) step.Add((waiting.Dequeue(), free.Pop()));
            if (step.Count > 0) Run(prefill: true);
            step.Clear();
            step.AddRange(running);
            running.Clear();
            if (step.Count > 0) Run(prefill: false);
        }
        double prefillRate = stats.PrefillRate, decodeRate = stats.DecodeRate;
        var results = seqs.Select((s, i) => new GenerationResult(s.Generated.ToArray(), finish[i]!.Value, prefillRate, decodeRate) { Text = s.Text }).ToArray();
        return new BatchGenerationResult(results, prefillRate, decodeRate);
    }

    /// <summary>An ICausalLm without slots seen as a one-slot batched model: its prompts run one after another.</summary>
    public sealed class OneSlot(ICausalLm model) : IBatchedCausalLm
    {
        public int VocabSize => model.VocabSize;

        public int ContextLength => model.ContextLength;

        public int MaxSequences => 1;

        public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits) => model.Forward(tokens, position, lastLogits);

        public void ForwardBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits)
        {
            if (chunks.Length != 1 || chunks[0].Slot != 0 || chunks[0].Count != tokens.Length)
                throw new ArgumentException("OneSlot.ForwardBatch: expected exactly one chunk, on slot 0, covering all tokens.", nameof(chunks));
            model.Forward(tokens, chunks[0].Position, logits);
        }

        public void CopySlot(int from, int to)
        {
            if (from != 0 || to != 0)
                throw new ArgumentOutOfRangeException(from != 0 ? nameof(from) : nameof(to), from != 0 ? from : to, "OneSlot.CopySlot: the model has a single slot (0).");
        }
    }
}
