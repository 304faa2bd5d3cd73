// BeamSearch: keeps the `beams` best partial continuations by total log-probability; each step scores all
// beam × vocabulary extensions and keeps the best (ties to the lower beam, then the lower token id, like
// torch.topk over the flattened scores). A beam that emits a stop token is finished with score
// Σ log p / (generated length ^ length_penalty) (Hugging Face's BeamHypotheses); the others finish at the
// length limit with the same normalisation.
// The model is an IBatchedCausalLm: every live beam sits in its own cache slot and all of them advance in one
// ForwardBatch per step, so a batched engine (DecoderEngine) streams its weights once per step for all beams.
// A DecoderModel runs through DecoderModelLm (one KvCache per slot) with the same search code.
using SharpLM.Inference.Engine;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Generation;

/// <summary>One finished hypothesis.</summary>
public sealed record BeamHypothesis(int[] Tokens, double SumLogProb, double Score);

/// <summary>Beam-search decoding over a causal LM with cache slots.</summary>
public sealed class BeamSearch
{
    private readonly IBatchedCausalLm? _lm;
    private readonly DecoderModel? _model;

    /// <summary>Searches on <paramref name="model"/>, which needs at least as many cache slots as beams.</summary>
    public BeamSearch(IBatchedCausalLm model) => _lm = model;

    /// <summary>Searches on the reference <see cref="DecoderModel"/> (each run gets one KV cache per beam).</summary>
    public BeamSearch(DecoderModel model) => _model = model;

    /// <summary>A live beam: its generated tokens, Σ log p, and the cache slot holding its prefix.</summary>
    private readonly record struct Beam(int[] Tokens, double Sum, int Slot);

    /// <summary>An extension of live beam <see cref="Beam"/> by <see cref="Token"/> with total log-probability <see cref="Sum"/>.</summary>
    private readonly record struct Candidate(double Sum, int Beam, int Token);

    /// <summary>Returns the finished hypotheses, best first.</summary>
    public IReadOnlyList<BeamHypothesis> Run(IReadOnlyList<int> prompt, int beams, int maxNewTokens, float lengthPenalty = 1f, IReadOnlyList<int>? stopTokens = null)
    {
        if (beams < 1) throw new ArgumentOutOfRangeException(nameof(beams), beams, "BeamSearch: beams must be at least 1.");
        using var owned = _model is null ? null : new DecoderModelLm(_model, beams, (int)Math.Min((long)prompt.Count + maxNewTokens, int.MaxValue));
        var lm = owned ?? (IBatchedCausalLm)_lm!;
        if (lm.MaxSequences < beams)
            throw new ArgumentException($"BeamSearch: {beams} beams need {beams} cache slots, but the model has {lm.MaxSequences} (open the engine with maxSequences ≥ {beams}).", nameof(beams));
        var stops = stopTokens ?? [];
        new GenerationOptions { MaxNewTokens = maxNewTokens, StopTokens = stops }.Validate(lm.VocabSize, lm.ContextLength, prompt.Count);
        int v = lm.VocabSize, promptLength = prompt.Count;
        // A candidate is looked at only if fewer than `beams` non-stop candidates rank above it, so within its own beam
        // it ranks below beams + (number of stop ids): the rest of the vocabulary can never be chosen.
        int perBeam = Math.Min(v, beams + stops.Distinct().Count());
        var logits = new float[beams * v];                                            // row i: logits of live beam i
        lm.ForwardBatch(prompt.ToArray(), [new SequenceChunk(0, 0, promptLength)], logits);
        var live = new List<Beam> { new([], 0, 0) };
        var finished = new List<BeamHypothesis>();
        var tokens = new int[beams];
        var chunks = new SequenceChunk[beams];
        for (int step = 0; step < maxNewTokens && live.Count > 0; step++)
        {
            var cand = new List<Candidate>(live.Count * perBeam);
            for (int b = 0; b < live.Count; b++) AddBest(cand, b, live[b].Sum, logits.AsSpan(b * v, v), perBeam);
            cand.Sort((x, y) => y.Sum != x.Sum ? y.Sum.CompareTo(x.Sum) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));
            var next = new List<(int[] Tokens, double Sum, int Parent, int Token)>();
            int rank = 0;
            foreach (var c in cand)
            {
                if (next.Count == beams) break;
                var toks = live[c.Beam].Tokens.Append(c.Token).ToArray();
                if (stops.Contains(c.Token))
                {
                    // A stop token ends a hypothesis only if it ranks among the best `beams` candidates.
                    if (rank++ < beams) finished.Add(new(toks, c.Sum, c.Sum / Math.Pow(toks.Length, lengthPenalty)));
                    continue;
                }
                next.Add((toks, c.Sum, c.Beam, c.Token));
                rank++;
            }
            if (step == maxNewTokens - 1 || next.Count == 0)
            {
                foreach (var n in next) finished.Add(new(n.Tokens, n.Sum, n.Sum / Math.Pow(n.Tokens.Length, lengthPenalty)));
                break;
            }
            var slots = AssignSlots(lm, next.Select(n => live[n.Parent].Slot).ToArray(), beams);
            for (int i = 0; i < next.Count; i++) { tokens[i] = next[i].Token; chunks[i] = new SequenceChunk(slots[i], promptLength + step, 1); }
            lm.ForwardBatch(tokens.AsSpan(0, next.Count), chunks.AsSpan(0, next.Count), logits);   // all beams, one pass
            live = next.Select((n, i) => new Beam(n.Tokens, n.Sum, slots[i])).ToList();
        }
        return finished.OrderByDescending(h => h.Score).Take(beams).ToList();
    }

    /// <summary>
    /// Gives new beam i a slot holding its parent's prefix (<paramref name="parentSlots"/>[i]): the first child of a
    /// parent keeps the parent's slot, every further child gets a copy in a slot no new beam keeps (a parent
    /// without children, or one never used). Copies only write such free slots and only read kept ones, so no copy
    /// overwrites a prefix another copy still needs, whatever the order of the beams.
    /// </summary>
    private static int[] AssignSlots(IBatchedCausalLm lm, int[] parentSlots, int slotCount)
    {
        var slots = new int[parentSlots.Length];
        var kept = new bool[slotCount];
        for (int i = 0; i < parentSlots.Length; i++)
        {
            slots[i] = kept[parentSlots[i]] ? -1 : parentSlots[i];
            kept[parentSlots[i]] = true;
        }
        int free = 0;
        for (int i = 0; i < parentSlots.Length; i++)
        {
            if (slots[i] >= 0) continue;
            while (kept[free]) free++;
            kept[free] = true;
            lm.CopySlot(parentSlots[i], free);
            slots[i] = free;
        }
        return slots;
    }

    /// <summary>Adds beam <paramref name="beam"/>'s best <paramref name="k"/> extensions (Σ log p desc, then token asc) to <paramref name="cand"/>.</summary>
    private static void AddBest(List<Candidate> cand, int beam, double sum, ReadOnlySpan<float> logits, int k)
    {
        // Log-softmax in double: log p_t = x_t − (max + log Σ exp(x − max)).
        float max = float.NegativeInfinity;
        foreach (float x in logits) max = MathF.Max(max, x);
        double z = 0;
        foreach (float x in logits) z += Math.Exp(x - (double)max);
        double lse = max + Math.Log(z);
        var best = new Candidate[k];                                                   // sorted best first
        int n = 0;
        for (int t = 0; t < logits.Length; t++)
        {
            double s = sum + (logits[t] - lse);
            if (n == k && s <= best[n - 1].Sum) continue;                              // equal sum: the lower token already holds the place
            int j = n < k ? n++ : n - 1;
            while (j > 0 && best[j - 1].Sum < s) { best[j] = best[j - 1]; j--; }
            best[j] = new Candidate(s, beam, t);
        }
        cand.AddRange(best.AsSpan(0, n));
    }
}
