// `sharplm runs list|show|plot --store FILE`: reads a run store (runs.sqlite beside a run's outputs).
using System.CommandLine;
using SharpLM.Training.Runs;

namespace SharpLM.Cli;

internal static class RunsCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "The run store (runs.sqlite).", DefaultValueFactory = _ => "runs/quickstart/runs.sqlite" };
        var id = new Option<long?>("--id") { Description = "Run id (default: the newest)." };
        var keys = new Option<string[]>("--metric") { Description = "Metric to plot (repeatable).", DefaultValueFactory = _ => ["train/loss", "val/loss"] };
        var png = new Option<string>("--out") { Description = "PNG path.", DefaultValueFactory = _ => "run.png" };
        var list = new Command("list", "List runs.") { store };
        list.SetAction(r => With(r.GetValue(store)!, s =>
        {
            foreach (var run in s.Runs()) Console.WriteLine($"{run.Id,4}  {run.Name,-20} {run.Status,-10} {run.StartedUtc}  {run.EndedUtc}");
            return 0;
        }));
        var show = new Command("show", "Show a run's config and latest metrics.") { store, id };
        show.SetAction(r => With(r.GetValue(store)!, s =>
        {
            var run = Pick(s, r.GetValue(id));
            Console.WriteLine($"run {run.Id} '{run.Name}' {run.Status}, started {run.StartedUtc}");
            Console.WriteLine(run.ConfigJson);
            foreach (var k in s.Keys(run.Id)) { var last = s.Series(run.Id, k)[^1]; Console.WriteLine($"  {k,-14} step {last.Step,6}: {last.Value:G6}"); }
            return 0;
        }));
        var plot = new Command("plot", "Draw metrics of a run as a PNG.") { store, id, keys, png };
        plot.SetAction(r => With(r.GetValue(store)!, s =>
        {
            var run = Pick(s, r.GetValue(id));
            Console.WriteLine(RunPlots.Save(s, run.Id, r.GetValue(keys)!, r.GetValue(png)!, $"run {run.Id}: {run.Name}"));
            return 0;
        }));
        return new Command("runs", "Inspect training runs.") { list, show, plot };
    }

    private static RunInfo Pick(RunStore s, long? id) =>
        (id is { } i ? s.Runs().FirstOrDefault(r => r.Id == i) : s.Runs().FirstOrDefault())
        ?? throw new InvalidOperationException($"runs: no run {(id is null ? "" : id.ToString())} in {s.Path}.");

    private static int With(string path, Func<RunStore, int> f)
    {
        if (!File.Exists(path)) { Console.Error.WriteLine($"runs: {path} does not exist."); return 2; }
        try { using var s = new RunStore(path); return f(s); }
        catch (InvalidOperationException e) { Console.Error.WriteLine(e.Message); return 2; }
    }
}
