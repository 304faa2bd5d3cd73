// GenerationStats: token counts and seconds of the prefill and decode phases, summed over every sequence of a
// run, so a batch reports aggregate throughput (tokens/s over all sequences) rather than one sequence's rate.
namespace SharpLM.Inference.Generation;

internal sealed class GenerationStats
{
    public long PrefillTokens, DecodeTokens;
    public double PrefillSeconds, DecodeSeconds;

    public double PrefillRate => PrefillTokens / Math.Max(PrefillSeconds, 1e-9);

    public double DecodeRate => DecodeTokens / Math.Max(DecodeSeconds, 1e-9);
}
