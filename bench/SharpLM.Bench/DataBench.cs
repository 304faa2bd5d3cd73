// DataBench: MB/s of each SharpLM.Data stage over tinyshakespeare + tang-poems (paragraph documents), at 1 and 2
// threads, plus n-gram LM training and scoring on tinyshakespeare. Usage: sharplm-bench data [--repeat N]
using System.Diagnostics;
using SharpLM.Data.IO;
using SharpLM.Data.NGram;
using SharpLM.Data.Pipeline;

namespace SharpLM.Bench;

internal static class DataBench
{
    public static int Run(string[] args)
    {
        int repeat = args.Length > 1 && args[0] == "--repeat" ? int.Parse(args[1]) : 2;
        var shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "data", "corpora"));
        var files = new[] { Path.Combine(shared, "tinyshakespeare.txt"), Path.Combine(shared, "tang-poems.txt") };
        foreach (var f in files) if (!File.Exists(f)) { Console.Error.WriteLine($"data bench: {f} missing (expects ../shared beside the repository)."); return 2; }
        var rep = new ReadReport();
        var docs = files.SelectMany(f => CorpusReader.Read(f, rep)).ToList();
        Console.WriteLine($"{docs.Count} documents, {DataPipeline.Bytes(docs) / 1e6:F2} MB; best of {repeat}; {Environment.ProcessorCount} cores");
        Console.WriteLine($"| stage | 1 thread MB/s | 2 threads MB/s |\n|---|---:|---:|");
        string[] stages = ["language", "gopher", "scrub", "exact_dedup", "line_dedup", "minhash"];
        foreach (var s in stages)
        {
            var rate = new double[2];
            for (int t = 1; t <= 2; t++)
                for (int r = 0; r < repeat; r++)
                    rate[t - 1] = Math.Max(rate[t - 1], DataPipeline.RunStage(new StageSpec { Type = s }, docs, t).Report.MBPerSecond);
            Console.WriteLine($"| {s} | {rate[0]:F1} | {rate[1]:F1} |");
        }
        var lines = File.ReadAllLines(files[0]);
        double mb = new FileInfo(files[0]).Length / 1e6;
        foreach (int order in new[] { 3, 5 })
        {
            var sw = Stopwatch.StartNew();
            var lm = KneserNey.Train(lines, new KneserNeyOptions { Order = order });
            double train = sw.Elapsed.TotalSeconds;
            sw.Restart();
            var ppl = lm.ScoreCorpus(lines);
            double score = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"| ngram train order {order} (modified KN, tinyshakespeare) | {mb / train:F1} | - |");
            Console.WriteLine($"| ngram score order {order} (train ppl {ppl.Perplexity:F1}) | {mb / score:F1} | - |");
        }
        return 0;
    }
}
