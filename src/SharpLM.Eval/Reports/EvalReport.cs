// EvalReport: writes the results of a run as results.json (task, type, documents, metrics, samples) and a
// self-contained report.html — a metric table and one inline SVG bar chart per metric across tasks, plus the
// first samples of each task. Both are written to a temporary file and renamed.
using System.Net;
using System.Text;
using System.Text.Json;
using SharpLM.Eval.Harness;

namespace SharpLM.Eval.Reports;

public static class EvalReport
{
    public static string ToJson(string model, IReadOnlyList<TaskResult> results) =>
        JsonSerializer.Serialize(new
        {
            model,
            results = results.Select(r => new { task = r.Task, type = r.Type, documents = r.Documents, metrics = r.Metrics, samples = r.Samples }),
        }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

    public static string ToHtml(string model, IReadOnlyList<TaskResult> results, int samplesPerTask = 5)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>SharpLM eval</title><style>")
          .Append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}")
          .Append("pre{white-space:pre-wrap;background:#f6f6f6;padding:6px}</style></head><body>")
          .Append($"<h1>Evaluation of {E(model)}</h1><table><tr><th>task</th><th>type</th><th>documents</th><th>metric</th><th>value</th></tr>");
        foreach (var r in results)
            foreach (var (k, v) in r.Metrics)
                sb.Append($"<tr><td>{E(r.Task)}</td><td>{r.Type}</td><td>{r.Documents}</td><td>{E(k)}</td><td>{v:F4}</td></tr>");
        sb.Append("</table>");
        foreach (var metric in results.SelectMany(r => r.Metrics.Keys).Distinct())
            sb.Append($"<h2>{E(metric)}</h2>").Append(BarChart(results.Where(r => r.Metrics.ContainsKey(metric)).Select(r => (r.Task, r.Metrics[metric])).ToList()));
        foreach (var r in results)
        {
            sb.Append($"<h2>Samples: {E(r.Task)}</h2>");
            foreach (var s in r.Samples.Take(samplesPerTask))
                sb.Append($"<p>#{s.Index} {(s.Correct ? "correct" : "wrong")} — predicted {E(s.Predicted ?? "[invalid]")}, reference {E(s.Reference ?? "")}</p><pre>{E(s.Output)}</pre>");
        }
        return sb.Append("</body></html>").ToString();
    }

    /// <summary>
    /// A horizontal bar chart as inline SVG. Bars run from 0 to 1 (accuracy, exact match, F1 are fractions, so 2% must
    /// not draw full width); only a metric with values above 1 (perplexity, BLEU in points) is scaled to its largest value.
    /// </summary>
    public static string BarChart(IReadOnlyList<(string Label, double Value)> bars)
    {
        const int barH = 22, labelW = 160, plotW = 400;
        double max = Math.Max(1.0, bars.Select(b => Math.Abs(b.Value)).DefaultIfEmpty(1).Max());
        var sb = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelW + plotW + 80}\" height=\"{bars.Count * barH + 10}\">");
        for (int i = 0; i < bars.Count; i++)
        {
            double w = Math.Abs(bars[i].Value) / max * plotW;
            int y = 5 + i * barH;
            sb.Append($"<text x=\"0\" y=\"{y + 15}\" font-size=\"12\">{WebUtility.HtmlEncode(bars[i].Label)}</text>")
              .Append($"<rect x=\"{labelW}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barH - 4}\" fill=\"#4878d0\"/>")
              .Append($"<text x=\"{labelW + w + 4:F1}\" y=\"{y + 15}\" font-size=\"12\">{bars[i].Value:F4}</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Writes results.json and report.html into <paramref name="dir"/>.</summary>
    public static void Write(string dir, string model, IReadOnlyList<TaskResult> results)
    {
        Directory.CreateDirectory(dir);
        WriteAtomic(Path.Combine(dir, "results.json"), ToJson(model, results));
        WriteAtomic(Path.Combine(dir, "report.html"), ToHtml(model, results));
    }

    private static void WriteAtomic(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
