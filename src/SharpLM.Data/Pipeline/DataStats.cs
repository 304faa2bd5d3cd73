// DataStats and StatsReport: document/byte/char counts, languages and a log2 length histogram; written as JSON and
// as a small self-contained HTML page (tables and CSS bars, no scripts).
using System.Net;
using System.Text;
using System.Text.Json;
using SharpLM.Data.Filters;
using SharpLM.Data.IO;

namespace SharpLM.Data.Pipeline;

public sealed record DataStats(long Documents, long Bytes, long Chars, double MeanChars, IReadOnlyDictionary<string, long> Languages, IReadOnlyDictionary<string, long> LengthHistogram)
{
    public static DataStats Compute(IReadOnlyCollection<Document> docs)
    {
        var lang = new SortedDictionary<string, long>();
        var hist = new SortedDictionary<int, long>();
        long chars = 0, bytes = 0;
        foreach (var d in docs)
        {
            chars += d.Text.Length;
            bytes += Encoding.UTF8.GetByteCount(d.Text);
            var l = LanguageId.Score(d.Text).Language.ToString().ToLowerInvariant();
            lang[l] = lang.GetValueOrDefault(l) + 1;
            int bin = d.Text.Length == 0 ? 0 : (int)Math.Floor(Math.Log2(d.Text.Length));
            hist[bin] = hist.GetValueOrDefault(bin) + 1;
        }
        return new DataStats(docs.Count, bytes, chars, docs.Count == 0 ? 0 : (double)chars / docs.Count, lang,
            hist.ToDictionary(p => $"{1L << p.Key}-{(1L << (p.Key + 1)) - 1}", p => p.Value));
    }
}

public static class StatsReport
{
    /// <summary>Writes PREFIX.json and PREFIX.html.</summary>
    public static void Write(string prefix, PipelineReport report)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(prefix))!);
        File.WriteAllText(prefix + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(prefix + ".html", Html(report));
    }

    public static string Html(PipelineReport r)
    {
        var sb = new StringBuilder("<!doctype html><meta charset=utf-8><title>SharpLM data report</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}th{background:#eee}.bar{background:#4a7;height:12px}</style><h1>SharpLM data report</h1>");
        sb.Append("<h2>Stages</h2><table><tr><th>stage<th>docs in<th>docs out<th>MB in<th>MB out<th>MB/s<th>reasons</tr>");
        foreach (var s in r.Stages)
            sb.Append($"<tr><td>{s.Name}<td>{s.DocsIn}<td>{s.DocsOut}<td>{s.BytesIn / 1e6:F3}<td>{s.BytesOut / 1e6:F3}<td>{s.MBPerSecond:F1}<td style=text-align:left>{WebUtility.HtmlEncode(string.Join(", ", s.Reasons.Select(p => $"{p.Key}: {p.Value}")))}</tr>");
        sb.Append("</table>");
        foreach (var (title, st) in new[] { ("Before", r.Before), ("After", r.After) })
        {
            sb.Append($"<h2>{title}: {st.Documents} documents, {st.Bytes / 1e6:F3} MB, mean {st.MeanChars:F0} chars</h2><table><tr><th>chars<th>docs<th></tr>");
            long max = Math.Max(1, st.LengthHistogram.Values.DefaultIfEmpty(1).Max());
            foreach (var (bin, n) in st.LengthHistogram)
                sb.Append($"<tr><td>{bin}<td>{n}<td style=text-align:left><div class=bar style=width:{300 * n / max}px></div></tr>");
            sb.Append("</table><p>languages: ").Append(WebUtility.HtmlEncode(string.Join(", ", st.Languages.Select(p => $"{p.Key} {p.Value}")))).Append("</p>");
        }
        if (r.Skipped.Count > 0)
            sb.Append("<h2>Input problems</h2><ul>").AppendJoin("", r.Skipped.Take(200).Select(s => $"<li>{WebUtility.HtmlEncode(s)}")).Append("</ul>");
        return sb.ToString();
    }
}
