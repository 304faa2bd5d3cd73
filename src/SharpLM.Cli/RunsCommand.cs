// `sharplm runs list|show|plot --store FILE`: reads a run store (runs.sqlite beside a run's outputs).
using System.CommandLine;
using SharpLM.Training.Runs;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class RunsCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "The run store (runs.sqlite).", DefaultValueFactory = _ => "runs/quickstart/runs.sqlite" };
        var id = new Option<long?>("--id") { Description = "Run id (default: the newest)." };
        var keys = new Option<string[]>("--metric") { Description = "Metric to plot (repeatable).", DefaultValueFactory = _ => ["train/loss", "val/loss"] };
        var png = new Option<string>("--output", "-o", "--out") { Description = "PNG path.", DefaultValueFactory = _ => "run.png" };
        var list = new Command("list", "List runs.") { store };
        list.SetAction(r => With("runs list", r.GetValue(store)!, s =>
        {
            foreach (var run in s.Runs()) Console.WriteLine($"{run.Id,4}  {run.Name,-20} {run.Status,-10} {run.StartedUtc}  {run.EndedUtc}");
            return 0;
        }));
        var show = new Command("show", "Show a run's config and latest metrics.") { store, id };
        show.SetAction(r => With("runs show", r.GetValue(store)!, s =>
        {
            var run = Pick(s, r.GetValue(id));
            Console.WriteLine($"run {run.Id} '{run.Name}' {run.Status}, started {run.StartedUtc}");
            Console.WriteLine(run.ConfigJson);
            foreach (var k in s.Keys(run.Id)) { var last = s.Series(run.Id, k)[^1]; Console.WriteLine($"  {k,-14} step {last.Step,6}: {last.Value:G6}"); }
            return 0;
        }));
        var plot = new Command("plot", "Draw metrics of a run as a PNG.") { store, id, keys, png };
        plot.SetAction(r => With("runs plot", r.GetValue(store)!, s =>
        {
            var run = Pick(s, r.GetValue(id));
            CliFiles.RequireWritableFile(r.GetValue(png)!);
            Console.WriteLine(RunPlots.Save(s, run.Id, r.GetValue(keys)!, r.GetValue(png)!, $"run {run.Id}: {run.Name}"));
            return 0;
        }));
        return new Command("runs", "Inspect training runs.") { list, show, plot };
    }

    private static RunInfo Pick(RunStore s, long? id) =>
        (id is { } i ? s.Runs().FirstOrDefault(r => r.Id == i) : s.Runs().FirstOrDefault())
        ?? throw new InvalidOperationException($"{s.Path}: no run {(id is null ? "" : id.ToString())}; `sharplm runs list --store {s.Path}` lists them.");

    private static int With(string verb, string path, Func<RunStore, int> f)
    {
        try
        {
            CliFiles.RequireFile(path, "the runs.sqlite a training run writes");
            using var s = new RunStore(path);
            return f(s);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException) { return CliError.Print(verb, e); }
    }
}
