// `sharplm eval --model PATH --tasks FILE[,FILE] [--limit N] [--out DIR]`: runs harness task files
// (multiple choice, generate-until with answer extraction, rolling perplexity) against a model and writes
// results.json + report.html. Task files are validated before the model is opened (ModelOpener: the f32
// DecoderModel scores, the model's tokenizer is required).
using System.CommandLine;
using SharpLM.Inference.Engine;
using SharpLM.Eval.Harness;
using SharpLM.Eval.Reports;
using SharpLM.Inference.Loading;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class EvalCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("HF folder (with tokenizer.json), .gguf or llama2.c .bin.");
        var tasks = CliOptions.NonEmpty(new Option<string>("--tasks") { Description = "Comma-separated task JSON files (see tasks/).", Required = true });
        var limit = CliOptions.AtLeast(new Option<int?>("--limit") { Description = "Evaluate only the first N documents of each task (N ≥ 1)." }, 1);
        var outDir = new Option<string>("--output", "-o", "--out") { Description = "Report folder.", DefaultValueFactory = _ => "runs/eval" };
        var cmd = new Command("eval", "Evaluate a model on harness tasks.") { model, tasks, limit, outDir };
        cmd.SetAction(r =>
        {
            try
            {
                var specs = r.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TaskSpec.Load).ToList();
                if (specs.Count == 0) return CliError.Print("eval", "--tasks names no task file; expected comma-separated task JSON files.", CliExit.Usage);
                CliFiles.RequireWritableFolder(r.GetValue(outDir)!);
                using var opened = ModelOpener.Open(r.GetValue(model)!, new ModelOpenOptions { Tokenizer = TokenizerUse.Required });
                var tok = opened.Tokenizer!;
                // Scored as it runs: on the engine (all-positions logits) wherever the model opens there.
                IEvalModel evalModel = opened.Lm is DecoderEngine engine ? new EngineEvalModel(engine)
                    : new DecoderEvalModel(((DecoderModelLm)opened.Lm).Model);
                var results = new List<TaskResult>();
                foreach (var spec in specs)
                {
                    var res = TaskRunner.Run(spec, evalModel, new TextCodec(tok.Encode, tok.Decode), r.GetValue(limit),
                        (i, n) => { if (i % 10 == 0 || i == n) Console.Error.Write($"\r  {spec.Name}: {i}/{n}   "); });
                    Console.Error.WriteLine();
                    Console.WriteLine($"{res.Task} ({res.Type}, {res.Documents} documents): " + string.Join(", ", res.Metrics.Select(kv => $"{kv.Key} {kv.Value:G5}")));
                    results.Add(res);
                }
                EvalReport.Write(r.GetValue(outDir)!, r.GetValue(model)!, results);
                Console.WriteLine($"Report: {Path.Combine(r.GetValue(outDir)!, "report.html")}");
                return 0;
            }
            catch (Exception e) when (e is TaskSpecException or InvalidOperationException || ModelOpener.IsBadInput(e))
            {
                return CliError.Print("eval", e);
            }
        });
        return cmd;
    }
}
