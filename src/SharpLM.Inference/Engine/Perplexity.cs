// Perplexity: exp of the mean negative log-likelihood of a token sequence under an ICausalLm — on the engine
// from one all-positions pass (DecoderEngine.ForwardAllPositions), otherwise fed one token at a time through
// the model's KV cache. Either way it measures what generation computes (e.g. a quantised GGUF engine). Used by
// `sharplm quantize` to report the perplexity change of quantisation.
using SharpLM.Inference.Sampling;

namespace SharpLM.Inference.Engine;

public static class Perplexity
{
    /// <summary>Mean −log p(tokens[i+1] | tokens[..i]) over the sequence (natural log) and its exponential.</summary>
    public static (double MeanNll, double Ppl) Evaluate(ICausalLm lm, ReadOnlySpan<int> tokens)
    {
        if (tokens.Length < 2) throw new ArgumentException($"Perplexity: need at least 2 tokens, got {tokens.Length}.");
        if (tokens.Length > lm.ContextLength) throw new ArgumentException($"Perplexity: {tokens.Length} tokens exceed the context length {lm.ContextLength}.");
        double nll = 0;
        if (lm is DecoderEngine engine)
        {
            // One prefill pass with the logits of every position: the same numbers as feeding tokens one by one
            // through the cache (GEMM instead of GEMV rounding aside), at prefill speed.
            int n = tokens.Length - 1, v = engine.VocabSize;
            var all = new float[(long)n * v];
            engine.ForwardAllPositions(tokens[..n], 0, all);
            for (int i = 0; i < n; i++) nll -= LogitMath.LogProb(all.AsSpan(i * v, v), tokens[i + 1]);
        }
        else
        {
            var logits = new float[lm.VocabSize];
            for (int i = 0; i + 1 < tokens.Length; i++)
            {
                lm.Forward(tokens.Slice(i, 1), i, logits);
                nll -= LogitMath.LogProb(logits, tokens[i + 1]);
            }
        }
        double mean = nll / (tokens.Length - 1);
        return (mean, Math.Exp(mean));
    }
}
