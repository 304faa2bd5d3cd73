// BeamSearch: keeps the `beams` best partial continuations by total log-probability; each step scores all
// beam × vocabulary extensions and keeps the best (ties to the lower beam, then the lower token id, like
// torch.topk over the flattened scores). A beam that emits a stop token is finished with score
// Σ log p / (generated length ^ length_penalty) (Hugging Face's BeamHypotheses); the others finish at the
// length limit with the same normalisation. Each beam has its own KV cache, copied when beams are reordered.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;

namespace SharpLM.Inference.Generation;

/// <summary>One finished hypothesis.</summary>
public sealed record BeamHypothesis(int[] Tokens, double SumLogProb, double Score);

/// <summary>Beam-search decoding over a decoder model.</summary>
public sealed class BeamSearch(DecoderModel model)
{
    /// <summary>Returns the finished hypotheses, best first.</summary>
    public IReadOnlyList<BeamHypothesis> Run(IReadOnlyList<int> prompt, int beams, int maxNewTokens, float lengthPenalty = 1f, IReadOnlyList<int>? stopTokens = null)
    {
        var cfg = model.Config;
        if (beams < 1) throw new ArgumentOutOfRangeException(nameof(beams), beams, "BeamSearch: beams must be at least 1.");
        new GenerationOptions { MaxNewTokens = maxNewTokens, StopTokens = stopTokens ?? [] }.Validate(cfg.VocabSize, cfg.MaxPositions, prompt.Count);
        model.Eval();
        int cap = prompt.Count + maxNewTokens, v = cfg.VocabSize;
        var caches = Enumerable.Range(0, beams).Select(_ => new KvCache(cfg, 1, cap)).ToArray();
        var spare = Enumerable.Range(0, beams).Select(_ => new KvCache(cfg, 1, cap)).ToArray();
        try
        {
            var logp = new float[v];
            Forward(prompt.ToArray(), caches[0], logp);
            var live = new List<(int[] Tokens, double Sum, float[] LogP, int Cache)> { ([], 0, logp, 0) };
            var finished = new List<BeamHypothesis>();
            for (int step = 0; step < maxNewTokens && live.Count > 0; step++)
            {
                var cand = new List<(double Sum, int Beam, int Token)>();
                for (int b = 0; b < live.Count; b++)
                    for (int t = 0; t < v; t++) cand.Add((live[b].Sum + live[b].LogP[t], b, t));
                cand.Sort((x, y) => y.Sum != x.Sum ? y.Sum.CompareTo(x.Sum) : x.Beam != y.Beam ? x.Beam.CompareTo(y.Beam) : x.Token.CompareTo(y.Token));
                var next = new List<(int[] Tokens, double Sum, int Parent, int Token)>();
                int rank = 0;
                foreach (var c in cand)
                {
                    if (next.Count == beams) break;
                    var toks = live[c.Beam].Tokens.Append(c.Token).ToArray();
                    if (stopTokens?.Contains(c.Token) == true)
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
                // Reorder caches: beam i continues from its parent's cache.
                for (int i = 0; i < next.Count; i++) spare[i].CopyFrom(caches[live[next[i].Parent].Cache]);
                (caches, spare) = (spare, caches);
                live = next.Select((n, i) =>
                {
                    var lp = new float[v];
                    Forward([n.Token], caches[i], lp);
                    return (n.Tokens, n.Sum, lp, i);
                }).ToList();
            }
            return finished.OrderByDescending(h => h.Score).Take(beams).ToList();
        }
        finally
        {
            foreach (var c in caches) c.Dispose();
            foreach (var c in spare) c.Dispose();
        }
    }

    private void Forward(int[] ids, KvCache cache, float[] logProbs)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var y = model.Forward(Tensor.FromArray(ids, 1, ids.Length), cache: cache);       // (1, T, V)
        Ops.LogSoftmax(y.Narrow(1, ids.Length - 1, 1), -1).ToArray().CopyTo(logProbs, 0);
    }
}
