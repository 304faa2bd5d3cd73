// RunPlots: PNG curves of a run's metrics (ScottPlot, rendered headless through Skia) — one chart per
// metric, e.g. train/val loss and learning rate against the step.
using ScottPlot;

namespace SharpLM.Training.Runs;

public static class RunPlots
{
    /// <summary>Draws the given metrics of a run onto one chart and saves it as a PNG; returns the path.</summary>
    public static string Save(RunStore store, long runId, IReadOnlyList<string> keys, string pngPath, string title, int width = 900, int height = 500)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        bool any = false;
        foreach (var key in keys)
        {
            var s = store.Series(runId, key);
            if (s.Count == 0) continue;
            var sc = plot.Add.Scatter(s.Select(p => (double)p.Step).ToArray(), s.Select(p => p.Value).ToArray());
            sc.LegendText = key;
            sc.MarkerSize = s.Count > 50 ? 0 : 4;
            any = true;
        }
        if (!any) throw new InvalidOperationException($"RunPlots: run {runId} in {store.Path} has none of the metrics {string.Join(", ", keys)}.");
        plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        var tmp = pngPath + ".tmp.png";
        plot.SavePng(tmp, width, height);
        File.Move(tmp, pngPath, overwrite: true);
        return pngPath;
    }
}
