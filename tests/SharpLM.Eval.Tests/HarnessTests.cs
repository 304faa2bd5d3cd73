// Harness: GSM8K answer extraction on the dataset's own 1,319 reference solutions (must be 100% exact
// match, for "#### N" and for "The answer is N" chain-of-thought endings), the MMLU / C-Eval CSV loaders,
// task-file validation, seeded few-shot selection, scoring with a deterministic fake model, rolling
// perplexity with the llama_gqa fixture model, and the JSON/HTML report.
using System.Text.Json.Nodes;
using SharpLM.Eval.Harness;
using SharpLM.Eval.Metrics.LanguageModel;
using SharpLM.Eval.Reports;
using SharpLM.Text.Char;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Eval.Tests;

/// <summary>A model that gives log-probability −0.1 to one favoured token and −5 to all others, and replays a fixed generation.</summary>
internal sealed class FakeModel(int favoured, int[] generation, int maxLength = 4096) : IEvalModel
{
    public int MaxLength => maxLength;
    public List<int[]> Prompts { get; } = [];
    public double[] TargetLogProbs(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        var r = new double[targets.Length];
        for (int i = 0; i < r.Length; i++) r[i] = targets[i] == favoured ? -0.1 : -5;
        return r;
    }
    public int[] Generate(IReadOnlyList<int> prompt, int maxNewTokens) { Prompts.Add(prompt.ToArray()); return generation; }
}

public class HarnessTests
{
    private static string TaskFile(string name) => Fixture.PathOf(Path.Combine("tasks", name));

    [Fact]
    public void Gsm8kExtractionOnReferenceSolutionsIsExact()
    {
        RepoPaths.SharedData("eval", "gsm8k-test.jsonl"); // fails loudly when the shared data is missing
        var spec = TaskSpec.Load(Path.Combine(RepoPaths.Root, "tasks", "gsm8k.json"));
        var docs = Documents.Load(spec);
        Assert.Equal(1319, docs.Count);
        var ex = new AnswerExtraction(spec);
        int strict = 0, cot = 0;
        foreach (var d in docs)
        {
            var solution = d.Fields["answer"];
            var reference = ex.Reference(solution);
            Assert.False(string.IsNullOrEmpty(reference));
            if (ex.Prediction(ex.CutAtStop(solution)) == reference) strict++;
            // Chain-of-thought style: the reasoning lines, then "The answer is N." in place of "#### N".
            var lines = solution.Split('\n');
            var final = lines[^1]["#### ".Length..].Trim();
            var cotText = string.Join(" ", lines[..^1]) + $" The answer is {final}.";
            if (ex.Prediction(ex.CutAtStop(cotText)) == reference) cot++;
        }
        Assert.Equal(1319, strict);
        Assert.Equal(1319, cot);
        Assert.Equal("18", ex.Reference(docs[0].Fields["answer"]));
        Assert.Equal("1000", ex.Prediction("so $1,000. The answer is $1,000."));
    }

    [Fact]
    public void MmluAndCevalLoadersReadTheirCsv()
    {
        var mmlu = Documents.Load(TaskSpec.Load(TaskFile("mmlu_tiny.json")));
        Assert.Equal(4, mmlu.Count);
        Assert.Equal([1, 2, 3, 0], mmlu.Select(d => d.Gold));
        Assert.Equal("Which planet is known as the \"Red Planet\"?", mmlu[1].Fields["question"]);
        Assert.Equal("Which of these is a prime number?\n(choose one)", mmlu[2].Fields["question"]);
        Assert.Equal(["Venus", "Jupiter", "Mars", "Saturn"], mmlu[1].Choices);
        var ceval = Documents.Load(TaskSpec.Load(TaskFile("ceval_tiny.json")));
        Assert.Equal(3, ceval.Count);
        Assert.Equal([1, 0, 2], ceval.Select(d => d.Gold));
        Assert.Equal("1, 2, 3 之后是？", ceval[1].Fields["question"]);
        Assert.Equal("2", ceval[2].Fields["id"]);
    }

    [Fact]
    public void MissingFieldIsNamedWithTheFileBeforeAnyModelRuns()
    {
        var e = Assert.Throws<TaskSpecException>(() => TaskSpec.Load(TaskFile("missing_field.json")));
        Assert.Contains("missing_field.json", e.Message);
        Assert.Contains("'answer.reference_regex'", e.Message);
        var tmp = Path.Combine(Path.GetTempPath(), $"sharplm-task-{Guid.NewGuid():N}.json");
        File.WriteAllText(tmp, """{"name": "x", "output_type": "multiple_choice", "data": {"path": "a.csv"}}""");
        try { Assert.Contains("'prompt.template'", Assert.Throws<TaskSpecException>(() => TaskSpec.Load(tmp)).Message); }
        finally { File.Delete(tmp); }
    }

    [Fact]
    public void FewShotSelectionIsSeededAndExcludesTheDocument()
    {
        var a = Prompts.DrawFewShot(20, 5, 1234);
        Assert.Equal(a, Prompts.DrawFewShot(20, 5, 1234));
        Assert.NotEqual(a, Prompts.DrawFewShot(20, 5, 99));
        for (int d = 0; d < 20; d++) { Assert.DoesNotContain(d, a[d]); Assert.Equal(5, a[d].Distinct().Count()); }
    }

    [Fact]
    public void MultipleChoiceAndGenerateUntilScoreAsSpecified()
    {
        var spec = TaskSpec.Load(TaskFile("mmlu_tiny.json"));
        var docs = Documents.Load(spec);
        var corpus = string.Concat(docs.SelectMany(d => d.Fields.Values)) + spec.Template + spec.Description + " ABCD\n.:";
        var tok = CharTokenizer.FromCorpus(corpus);
        var codec = new TextCodec(tok.Encode, ids => tok.Decode(ids));
        // The fake model favours the token 'C': every question is answered C; the gold answers are B, C, D, A.
        var r = TaskRunner.Run(spec, new FakeModel(tok.Encode("C")[0], []), codec);
        Assert.Equal(0.25, r.Metrics["acc"]);
        Assert.Equal(0.25, r.Metrics["acc_norm"]);
        Assert.All(r.Samples, s => Assert.Equal("C", s.Predicted));
        // One-shot context: description, one example with its gold label, then the question.
        var ctx = Prompts.Context(spec, docs, 0, Prompts.DrawFewShot(docs.Count, 1, 7)[0]);
        Assert.StartsWith(spec.Description, ctx);
        Assert.EndsWith("What is 2 + 2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:", ctx);

        // generate_until with a fake generation: cut at the stop sequence, extract, normalise, compare.
        var gsmDir = Path.Combine(Path.GetTempPath(), $"sharplm-gsm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(gsmDir);
        try
        {
            File.WriteAllText(Path.Combine(gsmDir, "d.jsonl"), "{\"question\": \"q1\", \"answer\": \"x\\n#### 1,234\"}\n{\"question\": \"q2\", \"answer\": \"y\\n#### 7\"}\n");
            var task = File.ReadAllText(Path.Combine(RepoPaths.Root, "tasks", "gsm8k.json")).Replace("../../shared/data/eval/gsm8k-test.jsonl", "d.jsonl").Replace("\"count\": 5", "\"count\": 1");
            File.WriteAllText(Path.Combine(gsmDir, "t.json"), task);
            var gspec = TaskSpec.Load(Path.Combine(gsmDir, "t.json"));
            var text = " so 1234 in all. The answer is 1,234.\n\nQuestion: next";
            var gtok = CharTokenizer.FromCorpus(text + "Question: q1q2\nAnswer:xy#### 1,2347\n");
            var fake = new FakeModel(0, gtok.Encode(text));
            var g = TaskRunner.Run(gspec, fake, new TextCodec(gtok.Encode, ids => gtok.Decode(ids)));
            Assert.Equal(0.5, g.Metrics["exact_match"]);
            Assert.Equal("1234", g.Samples[0].Predicted);
            Assert.Equal(" so 1234 in all. The answer is 1,234.\n\n", g.Samples[0].Output);
            Assert.Equal("Question: q2\nAnswer: y\n#### 7\n\nQuestion: q1\nAnswer:", gtok.Decode(fake.Prompts[0]));
        }
        finally { Directory.Delete(gsmDir, true); }
    }

    [Fact]
    public void RollingTaskPerplexityMatchesDirectScoringAndReportsAreWritten()
    {
        var (model, _) = LanguageModelTests.Load("llama_gqa");
        var em = new DecoderEvalModel(model);
        var spec = TaskSpec.Load(TaskFile("rolling_tiny.json"));
        var docs = Documents.Load(spec);
        var tok = CharTokenizer.FromCorpus("abc ");
        var codec = new TextCodec(tok.Encode, ids => tok.Decode(ids));
        var r = TaskRunner.Run(spec, em, codec);
        var lps = docs.SelectMany(d => LanguageModelMetrics.RollingLogProbs(em, tok.Encode(d.Fields["text"]))).ToArray();
        Assert.Equal(LanguageModelMetrics.Perplexity(lps), r.Metrics["token_perplexity"], 12);
        long bytes = docs.Sum(d => (long)d.Fields["text"].Length);
        Assert.Equal(LanguageModelMetrics.BitsPerByte(-lps.Sum(), bytes), r.Metrics["bits_per_byte"], 12);
        Assert.Equal(-lps.Sum() / 4, Math.Log(r.Metrics["word_perplexity"]), 9); // 2 + 2 words in the two documents

        var dir = Path.Combine(Path.GetTempPath(), $"sharplm-report-{Guid.NewGuid():N}");
        try
        {
            EvalReport.Write(dir, "llama_gqa", [r]);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "results.json")))!;
            Assert.Equal(r.Metrics["token_perplexity"], json["results"]![0]!["metrics"]!["token_perplexity"]!.GetValue<double>());
            var html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains("<svg", html);
            Assert.Contains("rolling_tiny", html);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        model.Dispose();
    }

    [Fact]
    public void ReportBarsAreFractionsOfOneUnlessAValueExceedsOne()
    {
        var small = SharpLM.Eval.Reports.EvalReport.BarChart([("a", 0.02), ("b", 0.5)]);
        Assert.Contains("width=\"8.0\"", small);    // 0.02 of the 400-pixel plot, not full width
        Assert.Contains("width=\"200.0\"", small);
        var large = SharpLM.Eval.Reports.EvalReport.BarChart([("ppl", 20.0), ("ppl2", 10.0)]);
        Assert.Contains("width=\"400.0\"", large);  // above 1: scaled to the largest
        Assert.Contains("width=\"200.0\"", large);
    }
}
