// PerplexityFilter: scores each document with an n-gram LM (CCNet, Wenzek et al. 2020, buckets documents by KenLM
// perplexity) and drops those above MaxPerplexity (or below MinPerplexity, which catches boilerplate).
using SharpLM.Data.IO;
using SharpLM.Data.NGram;

namespace SharpLM.Data.Filters;

public sealed class PerplexityFilter(BackoffModel model, double maxPerplexity, double minPerplexity = 0) : IDocumentFilter
{
    /// <summary>Perplexity over all lines of the text (each non-empty line a sentence).</summary>
    public double Perplexity(string text) => model.ScoreCorpus(text.Split('\n')).Perplexity;

    public string? Reject(Document doc)
    {
        double p = Perplexity(doc.Text);
        return p > maxPerplexity ? "perplexity:high" : p < minPerplexity ? "perplexity:low" : null;
    }
}
