// IO and pipeline tests: jsonl (plain and gzip) with malformed lines reported as file:line, parquet via Parquet.Net,
// and a recipe run over tinyshakespeare + tang-poems with per-stage counts.
using System.IO.Compression;
using Parquet.Serialization;
using SharpLM.Data.IO;
using SharpLM.Data.Pipeline;
using SharpLM.TestSupport;

namespace SharpLM.Data.Tests;

public class PipelineTests
{
    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}-{name}");

    [Fact]
    public void JsonlSkipsMalformedLinesWithFileAndLine()
    {
        var p = Temp("a.jsonl.gz");
        using (var gz = new GZipStream(File.Create(p), CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz))
            w.Write("{\"text\":\"one\"}\n{broken\n\n{\"other\":1}\n{\"text\":\"two\"}\n");
        var rep = new ReadReport();
        var docs = CorpusReader.Read(p, rep).ToList();
        File.Delete(p);
        Assert.Equal(["one", "two"], docs.Select(d => d.Text));
        Assert.Equal(2, rep.Skipped.Count);
        Assert.StartsWith($"{p}:2: malformed JSON", rep.Skipped[0]);
        Assert.StartsWith($"{p}:4: no string field 'text'", rep.Skipped[1]);
        var missing = Assert.Throws<FileNotFoundException>(() => CorpusReader.Read(p + ".missing", rep));
        Assert.StartsWith(p + ".missing: no such file", missing.Message);
    }

    public sealed class Row { public string? text { get; set; } public int id { get; set; } }

    [Fact]
    public async Task ParquetTextColumn()
    {
        var p = Temp("t.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new Row { text = "alpha", id = 1 }, new Row { text = "beta", id = 2 } }, p);
        var rep = new ReadReport();
        var docs = CorpusReader.Read(p, rep).ToList();
        File.Delete(p);
        Assert.Equal(["alpha", "beta"], docs.Select(d => d.Text));
    }

    [Fact]
    public void RecipeRunsOverSharedCorpora()
    {
        var dir = Temp("recipe");
        Directory.CreateDirectory(dir);
        var recipePath = Path.Combine(dir, "recipe.json");
        File.WriteAllText(recipePath, $$"""
        { "inputs": ["{{RepoPaths.SharedData("corpora", "tinyshakespeare.txt")}}", "{{RepoPaths.SharedData("corpora", "tang-poems.txt")}}"],
          "output": "out.jsonl", "report": "report", "txt_mode": "paragraph", "threads": 2,
          "stages": [ {"type": "language", "allow": ["english", "chinese"]}, {"type": "scrub"}, {"type": "exact_dedup"},
                      {"type": "minhash", "shingle": 3, "bands": 16, "rows": 8, "threshold": 0.8} ] }
        """);
        var r = DataPipeline.Run(Recipe.Load(recipePath));
        Assert.Equal(4, r.Stages.Count);
        Assert.Equal(r.Before.Documents, r.Stages[0].DocsIn);
        Assert.True(r.Before.Languages["english"] > 5000 && r.Before.Languages["chinese"] > 10000);
        Assert.True(r.Stages[2].DocsOut < r.Stages[2].DocsIn); // tinyshakespeare repeats short speeches
        var outLines = File.ReadAllLines(Path.Combine(dir, "out.jsonl"));
        Assert.Equal(r.After.Documents, outLines.Length);
        Assert.Contains("<h1>SharpLM data report</h1>", File.ReadAllText(Path.Combine(dir, "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "report.json")));
        Directory.Delete(dir, true);
    }
}
