// `sharplm data prepare|filter|dedup|scrub|stats`: thin wrappers that build a SharpLM.Data recipe and run it.
using System.CommandLine;
using SharpLM.Data.IO;
using SharpLM.Data.Pipeline;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class DataCommand
{
    public static Command Create()
    {
        var cmd = new Command("data", "Pretraining data: quality filters, dedup, PII scrubbing, stats, token shards (SharpLM.Data).");
        var recipe = new Argument<FileInfo>("RECIPE") { Description = "JSON recipe: inputs, output, report, stages." };
        var prepare = new Command("prepare", "Run a whole pipeline from a JSON recipe.") { recipe };
        prepare.SetAction(r => Run("data prepare", () => Recipe.Load(r.GetValue(recipe)!.FullName)));
        cmd.Subcommands.Add(prepare);
        cmd.Subcommands.Add(DataTokenizeCommand.Create());
        cmd.Subcommands.Add(FinetuneCommand.CreateMakeDemo());
        cmd.Subcommands.Add(Verb("filter", "Language, Gopher, keyword and perplexity filters.", o =>
        {
            var stages = new List<StageSpec>();
            if (o.Lang is { Length: > 0 } l) stages.Add(new StageSpec { Type = "language", Allow = l });
            if (o.Gopher) stages.Add(new StageSpec { Type = "gopher" });
            if (o.Keywords is { } k) stages.Add(new StageSpec { Type = "keywords", Words = File.ReadAllLines(CliFiles.RequireFile(k.FullName, "a block-list file, one keyword a line")) });
            if (o.Arpa is { } a) stages.Add(new StageSpec { Type = "perplexity", Arpa = CliFiles.RequireFile(a.FullName, "an ARPA n-gram model (sharplm ngram train writes one)"), Max = o.MaxPpl });
            return stages;
        }));
        cmd.Subcommands.Add(Verb("dedup", "Exact, line-level and MinHash near-duplicate removal.", _ =>
            [new StageSpec { Type = "exact_dedup" }, new StageSpec { Type = "line_dedup" }, new StageSpec { Type = "minhash" }]));
        cmd.Subcommands.Add(Verb("scrub", "Replace e-mails, phones, IPs, cards, Chinese IDs and URL secrets by placeholders.", _ => [new StageSpec { Type = "scrub" }]));
        cmd.Subcommands.Add(Verb("stats", "Document, byte, language and length statistics (REPORT.json + REPORT.html).", _ => []));
        return cmd;
    }

    private sealed record VerbOptions(string[]? Lang, bool Gopher, FileInfo? Keywords, FileInfo? Arpa, double MaxPpl);

    private static Command Verb(string name, string description, Func<VerbOptions, List<StageSpec>> stages)
    {
        var input = new Option<FileInfo[]>("--input", "-i") { Description = "Input files (.txt, .jsonl, .jsonl.gz, .parquet).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Output jsonl." };
        var report = new Option<string?>("--report") { Description = "Report prefix (writes PREFIX.json and PREFIX.html)." };
        var txt = new Option<TxtMode>("--txt-mode") { Description = "How .txt files split into documents.", DefaultValueFactory = _ => TxtMode.Paragraph };
        var threads = CliOptions.Threads(Math.Min(2, Environment.ProcessorCount), "Threads for the filter and scrub stages.");
        var lang = new Option<string[]>("--lang") { Description = "filter: languages to keep (english, chinese, code, other).", AllowMultipleArgumentsPerToken = true };
        var gopher = new Option<bool>("--gopher") { Description = "filter: Gopher quality and repetition heuristics." };
        var keywords = new Option<FileInfo?>("--keywords") { Description = "filter: block-list file, one keyword a line." };
        var arpa = new Option<FileInfo?>("--arpa") { Description = "filter: ARPA n-gram LM for the perplexity filter." };
        var maxPpl = CliOptions.Positive(new Option<double>("--max-ppl") { DefaultValueFactory = _ => 1000, Description = "filter: drop documents whose n-gram perplexity is above this." });
        var cmd = new Command(name, description) { input, output, report, txt, threads };
        if (name == "filter") { cmd.Options.Add(lang); cmd.Options.Add(gopher); cmd.Options.Add(keywords); cmd.Options.Add(arpa); cmd.Options.Add(maxPpl); }
        cmd.SetAction(r => Run("data " + name, () => new Recipe
        {
            Inputs = r.GetValue(input)!.Select(f => f.FullName).ToArray(),
            Output = r.GetValue(output)?.FullName,
            Report = r.GetValue(report),
            TxtMode = r.GetValue(txt),
            Threads = r.GetValue(threads),
            Stages = stages(new VerbOptions(r.GetValue(lang), r.GetValue(gopher), r.GetValue(keywords), r.GetValue(arpa), r.GetValue(maxPpl))).ToArray(),
        }));
        return cmd;
    }

    private static int Run(string verb, Func<Recipe> make)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var recipe = make();
            if (recipe.Output is { } outFile) CliFiles.RequireWritableFile(outFile);
            if (recipe.Report is { } reportPrefix) CliFiles.RequireWritableFile(reportPrefix + ".json");
            var r = DataPipeline.Run(recipe, new Progress<string>(Console.WriteLine), cts.Token);
            foreach (var s in r.Skipped.Take(20)) Console.Error.WriteLine($"skipped {s}");
            foreach (var s in r.Stages) foreach (var (k, n) in s.Reasons) Console.WriteLine($"  {s.Name}: {k} {n}");
            Console.WriteLine($"kept {r.After.Documents} of {r.Before.Documents} documents ({r.After.Bytes / 1e6:F2} of {r.Before.Bytes / 1e6:F2} MB)"
                + (recipe.Output is { } o ? $" -> {o}" : "") + (recipe.Report is { } p ? $"; report {p}.json/.html" : ""));
            return 0;
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return CliError.Print(verb, e);
        }
        catch (OperationCanceledException) { return CliError.Print(verb, "cancelled; nothing written.", CliExit.Cancelled); }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
