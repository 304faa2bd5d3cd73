// AnswerExtraction: the generate_until answer pipeline — cut the output at the first stop sequence, take
// the last match of the first prediction regex that matches (group 1, or the whole match), remove the
// "ignore" regexes (e.g. "," and "\$" for GSM8K) and trim; exact match compares the two normalised strings.
// Follows lm-evaluation-harness's regex filter + exact_match(regexes_to_ignore) for gsm8k.
using System.Text.RegularExpressions;

namespace SharpLM.Eval.Harness;

public sealed class AnswerExtraction
{
    private readonly Regex _reference;
    private readonly Regex[] _predictions;
    private readonly Regex[] _ignore;
    private readonly IReadOnlyList<string> _until;

    public AnswerExtraction(TaskSpec spec)
    {
        Regex Compile(string p, string field)
        {
            try { return new Regex(p, RegexOptions.CultureInvariant); }
            catch (ArgumentException e) { throw new TaskSpecException($"{spec.SourceFile}: field '{field}' has an invalid regex '{p}': {e.Message}"); }
        }
        _reference = Compile(spec.ReferenceRegex, "answer.reference_regex");
        _predictions = spec.PredictionRegexes.Select(p => Compile(p, "answer.prediction_regexes")).ToArray();
        _ignore = spec.Ignore.Select(p => Compile(p, "answer.ignore")).ToArray();
        _until = spec.Until;
    }

    public string CutAtStop(string output)
    {
        int cut = output.Length;
        foreach (var s in _until) { int i = output.IndexOf(s, StringComparison.Ordinal); if (i >= 0 && i < cut) cut = i; }
        return output[..cut];
    }

    /// <summary>The normalised reference answer, or null if the reference text has none.</summary>
    public string? Reference(string text) => _reference.Match(text) is { Success: true } m ? Normalize(Group(m)) : null;

    /// <summary>The normalised predicted answer, or null when no regex matches ("[invalid]" in lm-eval).</summary>
    public string? Prediction(string output)
    {
        foreach (var r in _predictions)
        {
            var ms = r.Matches(output);
            if (ms.Count > 0) return Normalize(Group(ms[^1]));
        }
        return null;
    }

    private static string Group(Match m) => m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1].Value : m.Value;

    private string Normalize(string s)
    {
        foreach (var r in _ignore) s = r.Replace(s, "");
        return s.Trim();
    }
}
