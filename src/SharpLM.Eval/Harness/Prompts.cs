// Prompts: rendering "{field}" templates from a document and building few-shot contexts — description, then
// k examples (template + target) drawn without replacement from the other documents by a seeded generator
// (a fresh System.Random(seed) per task, so a run is reproducible), then the document's own prompt.
using System.Text;
using System.Text.RegularExpressions;

namespace SharpLM.Eval.Harness;

public static partial class Prompts
{
    /// <summary>Replaces each {name} with the document field (choices also as {choice}/{label} by the caller).</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> fields, string where) =>
        Placeholder().Replace(template, m => fields.TryGetValue(m.Groups[1].Value, out var v) ? v
            : throw new TaskSpecException($"{where}: template field '{{{m.Groups[1].Value}}}' is not in the document (fields: {string.Join(", ", fields.Keys)})."));

    /// <summary>Indices of the few-shot examples of each document, drawn once per task from a seeded generator.</summary>
    public static int[][] DrawFewShot(int docCount, int k, int seed)
    {
        var rng = new Random(seed);
        var res = new int[docCount][];
        if (k > docCount - 1) throw new ArgumentException($"few-shot: {k} examples requested but the task has {docCount} documents.");
        for (int d = 0; d < docCount; d++)
        {
            var chosen = new List<int>(k);
            while (chosen.Count < k)
            {
                int c = rng.Next(docCount);
                if (c != d && !chosen.Contains(c)) chosen.Add(c);
            }
            res[d] = chosen.ToArray();
        }
        return res;
    }

    /// <summary>The full context of document <paramref name="index"/>: description, examples, then its prompt.</summary>
    public static string Context(TaskSpec spec, IReadOnlyList<EvalDoc> docs, int index, int[] fewShot)
    {
        var sb = new StringBuilder(spec.Description);
        foreach (var e in fewShot)
            sb.Append(Render(spec.Template, docs[e].Fields, spec.SourceFile))
              .Append(ExampleTarget(spec, docs[e]))
              .Append(spec.FewShotSeparator);
        return sb.Append(Render(spec.Template, docs[index].Fields, spec.SourceFile)).ToString();
    }

    private static string ExampleTarget(TaskSpec spec, EvalDoc d) =>
        spec.Type == TaskType.MultipleChoice && d.Gold >= 0 ? ChoiceContinuation(spec, d, d.Gold) : Render(spec.TargetTemplate, d.Fields, spec.SourceFile);

    public static string ChoiceContinuation(TaskSpec spec, EvalDoc d, int k) =>
        spec.ChoiceTemplate.Replace("{choice}", d.Choices[k]).Replace("{label}", ((char)('A' + k)).ToString());

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")] private static partial Regex Placeholder();
}
