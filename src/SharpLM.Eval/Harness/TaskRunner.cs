// TaskRunner: runs one task against an IEvalModel with a text encoder/decoder pair —
//   multiple_choice: log p(continuation | context) summed over the continuation tokens per choice; acc picks
//     the largest, acc_norm the largest per character of the continuation (lm-eval's acc_norm);
//   generate_until: greedy generation from the few-shot context, stop sequences, answer extraction, exact match;
//   loglikelihood_rolling: rolling-window log-likelihood of each whole document → token perplexity, word
//     perplexity and bits per byte (lm-eval's wikitext metrics).
// Contexts longer than the model keep their last tokens (left truncation), as lm-eval does.
using System.Text;
using SharpLM.Eval.Metrics.LanguageModel;

namespace SharpLM.Eval.Harness;

/// <summary>A tokenizer as two functions, so any tokenizer plugs in.</summary>
public sealed record TextCodec(Func<string, int[]> Encode, Func<int[], string> Decode);

/// <summary>One document's outcome (kept for the report).</summary>
public sealed record SampleResult(int Index, string Prompt, string Output, string? Predicted, string? Reference, bool Correct);

public sealed record TaskResult(string Task, string Type, int Documents, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<SampleResult> Samples);

public static class TaskRunner
{
    public static TaskResult Run(TaskSpec spec, IEvalModel model, TextCodec codec, int? limit = null, Action<int, int>? progress = null)
    {
        var docs = Documents.Load(spec);
        if (docs.Count == 0) throw new TaskSpecException($"{spec.SourceFile}: data file {spec.DataPath} holds no documents.");
        int n = Math.Min(limit ?? docs.Count, docs.Count);
        var shots = Prompts.DrawFewShot(docs.Count, spec.FewShot, spec.Seed);
        return spec.Type switch
        {
            TaskType.MultipleChoice => MultipleChoice(spec, docs, n, shots, model, codec, progress),
            TaskType.GenerateUntil => GenerateUntil(spec, docs, n, shots, model, codec, progress),
            _ => Rolling(spec, docs, n, model, codec, progress),
        };
    }

    /// <summary>Σ log p(continuation tokens | context tokens), the context left-truncated to fit.</summary>
    public static double ContinuationLogLikelihood(IEvalModel model, int[] context, int[] continuation) =>
        ContinuationLogLikelihoods(model, context, [continuation])[0];

    /// <summary>The log-likelihood of each continuation after the same context, scored in one batch.</summary>
    public static double[] ContinuationLogLikelihoods(IEvalModel model, int[] context, IReadOnlyList<int[]> continuations)
    {
        var windows = continuations.Select(c =>
        {
            var all = context.Concat(c).ToArray();
            var w = all[^Math.Min(all.Length, model.MaxLength + 1)..];
            return w.Length < 2 ? (Array.Empty<int>(), Array.Empty<int>()) : (w[..^1], w[1..]);
        }).ToList();
        var lps = model.TargetLogProbsBatch(windows);
        return continuations.Select((c, i) => c.Length == 0 ? 0 : lps[i][^Math.Min(c.Length, lps[i].Length)..].Sum()).ToArray();
    }

    private static TaskResult MultipleChoice(TaskSpec spec, List<EvalDoc> docs, int n, int[][] shots, IEvalModel model, TextCodec codec, Action<int, int>? progress)
    {
        int acc = 0, accNorm = 0;
        var samples = new List<SampleResult>();
        for (int i = 0; i < n; i++)
        {
            var d = docs[i];
            if (d.Choices.Count == 0 || d.Gold < 0) throw new TaskSpecException($"{spec.SourceFile}: document {i} has no choices or no gold answer (fields 'choices.field', 'choices.gold').");
            var ctx = codec.Encode(Prompts.Context(spec, docs, i, shots[i]));
            var conts = Enumerable.Range(0, d.Choices.Count).Select(k => Prompts.ChoiceContinuation(spec, d, k)).ToArray();
            var ll = ContinuationLogLikelihoods(model, ctx, conts.Select(codec.Encode).ToArray()); // all choices in one batch
            int best = ArgMax(ll), bestNorm = ArgMax(ll.Select((v, k) => v / Math.Max(1, conts[k].Length)).ToArray());
            if (best == d.Gold) acc++;
            if (bestNorm == d.Gold) accNorm++;
            samples.Add(new SampleResult(i, "", conts[best], ((char)('A' + best)).ToString(), ((char)('A' + d.Gold)).ToString(), best == d.Gold));
            progress?.Invoke(i + 1, n);
        }
        return new TaskResult(spec.Name, "multiple_choice", n, new Dictionary<string, double> { ["acc"] = (double)acc / n, ["acc_norm"] = (double)accNorm / n }, samples);
    }

    private static TaskResult GenerateUntil(TaskSpec spec, List<EvalDoc> docs, int n, int[][] shots, IEvalModel model, TextCodec codec, Action<int, int>? progress)
    {
        var ex = new AnswerExtraction(spec);
        int hits = 0;
        var samples = new List<SampleResult>();
        for (int i = 0; i < n; i++)
        {
            var d = docs[i];
            if (!d.Fields.TryGetValue(spec.ReferenceField, out var refText))
                throw new TaskSpecException($"{spec.SourceFile}: document {i} lacks the reference field '{spec.ReferenceField}' (field 'answer.reference_field').");
            var reference = ex.Reference(refText) ?? throw new FormatException($"{spec.DataPath}: document {i}: reference_regex finds no answer in '{refText}'.");
            var prompt = Prompts.Context(spec, docs, i, shots[i]);
            var ids = codec.Encode(prompt);
            if (ids.Length >= model.MaxLength) ids = ids[^(model.MaxLength - 1)..];
            var output = ex.CutAtStop(codec.Decode(model.Generate(ids, spec.MaxNewTokens)));
            var predicted = ex.Prediction(output);
            bool ok = predicted == reference;
            if (ok) hits++;
            samples.Add(new SampleResult(i, prompt, output, predicted, reference, ok));
            progress?.Invoke(i + 1, n);
        }
        return new TaskResult(spec.Name, "generate_until", n, new Dictionary<string, double> { ["exact_match"] = (double)hits / n }, samples);
    }

    private static TaskResult Rolling(TaskSpec spec, List<EvalDoc> docs, int n, IEvalModel model, TextCodec codec, Action<int, int>? progress)
    {
        double nll = 0; long tokens = 0, bytes = 0, words = 0;
        var samples = new List<SampleResult>();
        for (int i = 0; i < n; i++)
        {
            var text = Prompts.Render(spec.Template, docs[i].Fields, spec.SourceFile);
            var lp = LanguageModelMetrics.RollingLogProbs(model, codec.Encode(text));
            nll -= lp.Sum(); tokens += lp.Length;
            bytes += Encoding.UTF8.GetByteCount(text);
            words += text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            samples.Add(new SampleResult(i, "", "", null, null, true));
            progress?.Invoke(i + 1, n);
        }
        if (tokens == 0) throw new TaskSpecException($"{spec.SourceFile}: the documents have fewer than two tokens each; nothing to score.");
        return new TaskResult(spec.Name, "loglikelihood_rolling", n, new Dictionary<string, double>
        {
            ["token_perplexity"] = Math.Exp(nll / tokens),
            ["word_perplexity"] = Math.Exp(nll / Math.Max(1, words)),
            ["bits_per_byte"] = LanguageModelMetrics.BitsPerByte(nll, bytes),
        }, samples);
    }

    private static int ArgMax(double[] v)
    {
        int b = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[b]) b = i;
        return b;
    }
}
