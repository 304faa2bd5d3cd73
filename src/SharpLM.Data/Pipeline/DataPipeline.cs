// DataPipeline: runs a recipe's stages in order over the documents read from its inputs, timing each stage
// (documents and bytes in/out, drop reasons, MB/s) and writing the kept documents as jsonl plus a stats report.
// Filter and scrub stages run on `threads` threads (order preserved); dedup stages are sequential.
using System.Diagnostics;
using System.Text;
using SharpLM.Data.Dedup;
using SharpLM.Data.Filters;
using SharpLM.Data.IO;
using SharpLM.Data.NGram;
using SharpLM.Data.Pii;

namespace SharpLM.Data.Pipeline;

public sealed record StageReport(string Name, long DocsIn, long DocsOut, long BytesIn, long BytesOut, double Seconds, IReadOnlyDictionary<string, long> Reasons)
{
    public double MBPerSecond => BytesIn / 1e6 / Math.Max(1e-9, Seconds);
}

public sealed record PipelineReport(IReadOnlyList<StageReport> Stages, DataStats Before, DataStats After, IReadOnlyList<string> Skipped);

public static class DataPipeline
{
    public static PipelineReport Run(Recipe recipe, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var read = new ReadReport();
        var docs = recipe.Inputs.SelectMany(p => CorpusReader.Read(p, read, recipe.TxtMode, recipe.TextField)).ToList();
        progress?.Report($"read {docs.Count} documents ({Bytes(docs) / 1e6:F2} MB) from {recipe.Inputs.Length} file(s); {read.Skipped.Count} lines skipped");
        var before = DataStats.Compute(docs);
        var reports = new List<StageReport>();
        foreach (var spec in recipe.Stages)
        {
            ct.ThrowIfCancellationRequested();
            var (kept, report) = RunStage(spec, docs, recipe.Threads, ct);
            reports.Add(report);
            progress?.Report($"{report.Name,-12} {report.DocsIn,8} -> {report.DocsOut,8} docs  {report.BytesIn / 1e6,8:F2} -> {report.BytesOut / 1e6,8:F2} MB  {report.MBPerSecond,8:F1} MB/s");
            docs = kept;
        }
        var result = new PipelineReport(reports, before, DataStats.Compute(docs), read.Skipped);
        if (recipe.Output is { } o) JsonlWriter.Write(o, docs);
        if (recipe.Report is { } r) StatsReport.Write(r, result);
        return result;
    }

    public static (List<Document> Kept, StageReport Report) RunStage(StageSpec spec, List<Document> docs, int threads, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        long bytesIn = Bytes(docs);
        List<Document> kept;
        IReadOnlyDictionary<string, long> reasons;
        switch (spec.Type)
        {
            case "language" or "gopher" or "keywords" or "perplexity":
                var chain = new FilterChain([BuildFilter(spec)]);
                kept = Parallel(docs, threads, ct, d => chain.Keep(d) ? d : null);
                reasons = chain.Reasons;
                break;
            case "scrub":
                var s = new PiiScrubber();
                kept = Parallel(docs, threads, ct, d => d with { Text = s.Scrub(d.Text) });
                reasons = s.Counts.Where(p => p.Value > 0).ToDictionary(p => "pii:" + PiiScrubber.Placeholder(p.Key).Trim('<', '>').ToLowerInvariant(), p => p.Value);
                break;
            case "exact_dedup":
                var e = new ExactDedup();
                kept = docs.Where(d => e.IsFirst(d.Text)).ToList();
                reasons = new Dictionary<string, long> { ["dedup:exact"] = e.Duplicates };
                break;
            case "line_dedup":
                var ld = new LineDedup();
                kept = docs.Select(d => d with { Text = ld.Apply(d.Text) }).Where(d => d.Text.Trim().Length > 0).ToList();
                reasons = new Dictionary<string, long> { ["dedup:lines_removed"] = ld.LinesRemoved, ["dedup:emptied"] = docs.Count - kept.Count };
                break;
            case "minhash":
                var lsh = new MinHashLsh(new MinHashOptions
                {
                    ShingleSize = spec.Shingle ?? 5, Bands = spec.Bands ?? 20, Rows = spec.Rows ?? 5, Threshold = spec.Threshold ?? 0.7,
                });
                var sigs = Parallel(docs, threads, ct, d => lsh.MinHash.Signature(d.Text));
                kept = [];
                for (int i = 0; i < docs.Count; i++) if (lsh.Add(sigs[i]) < 0) kept.Add(docs[i]);
                reasons = new Dictionary<string, long> { ["dedup:near"] = docs.Count - kept.Count };
                break;
            default:
                throw new FormatException($"recipe stage type '{spec.Type}' is unknown; expected language, gopher, keywords, perplexity, scrub, exact_dedup, line_dedup or minhash.");
        }
        return (kept, new StageReport(spec.Type, docs.Count, kept.Count, bytesIn, Bytes(kept), sw.Elapsed.TotalSeconds, reasons));
    }

    private static IDocumentFilter BuildFilter(StageSpec s) => s.Type switch
    {
        "language" => new LanguageFilter((s.Allow ?? ["english"]).Select(a => Enum.TryParse<Language>(a, true, out var l) ? l
            : throw new FormatException($"stage 'language': allow entry '{a}' is not one of english, chinese, code, other.")).ToArray()),
        "gopher" => new GopherFilter(s.MinWords is { } mw ? new GopherOptions { MinWords = mw } : null),
        "keywords" => new KeywordFilter(s.Words ?? throw new FormatException("stage 'keywords' needs 'words'.")),
        _ => new PerplexityFilter(Arpa.Read(s.Arpa ?? throw new FormatException("stage 'perplexity' needs 'arpa' (an ARPA file).")),
            s.Max ?? throw new FormatException("stage 'perplexity' needs 'max'."), s.Min ?? 0),
    };

    private static List<TOut> Parallel<TOut>(List<Document> docs, int threads, CancellationToken ct, Func<Document, TOut?> f) where TOut : class
    {
        var results = new TOut?[docs.Count];
        System.Threading.Tasks.Parallel.For(0, docs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct }, i => results[i] = f(docs[i]));
        return results.Where(r => r is not null).Select(r => r!).ToList();
    }

    public static long Bytes(IEnumerable<Document> docs) => docs.Sum(d => (long)Encoding.UTF8.GetByteCount(d.Text));
}
