// RunSummary: a self-contained HTML page for a run — name, status, resolved config, the last value of every
// metric, and the PNG curves beside it.
using System.Net;
using System.Text;

namespace SharpLM.Training.Runs;

public static class RunSummary
{
    /// <summary>Writes the page (atomically) and returns its path.</summary>
    public static string Write(RunStore store, long runId, string path, IReadOnlyList<string> images)
    {
        var run = store.Runs().FirstOrDefault(r => r.Id == runId) ?? throw new InvalidOperationException($"RunSummary: no run {runId} in {store.Path}.");
        var sb = new StringBuilder();
        sb.Append("<!doctype html><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(run.Name)).Append("</title>");
        sb.Append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:left}pre{background:#f4f4f4;padding:1em}</style>");
        sb.Append($"<h1>Run {run.Id}: {WebUtility.HtmlEncode(run.Name)}</h1><p>{run.Status}, started {run.StartedUtc}, ended {run.EndedUtc}</p>");
        sb.Append("<h2>Final metrics</h2><table><tr><th>metric</th><th>step</th><th>value</th></tr>");
        foreach (var key in store.Keys(runId))
        {
            var last = store.Series(runId, key)[^1];
            sb.Append($"<tr><td>{WebUtility.HtmlEncode(key)}</td><td>{last.Step}</td><td>{last.Value:G6}</td></tr>");
        }
        sb.Append("</table><h2>Curves</h2>");
        foreach (var img in images) sb.Append($"<p><img src=\"{WebUtility.HtmlEncode(img)}\" alt=\"{WebUtility.HtmlEncode(img)}\"></p>");
        sb.Append("<h2>Config</h2><pre>").Append(WebUtility.HtmlEncode(run.ConfigJson)).Append("</pre>");
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
