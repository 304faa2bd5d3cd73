// TaskSpec: a benchmark task described in JSON, in the spirit of EleutherAI's lm-evaluation-harness YAML
// tasks: where the documents are (JSONL, MMLU CSV, C-Eval CSV), how a prompt is rendered from a document's
// fields ({field} placeholders), how few-shot examples are drawn (count, seed), and per output type what is
// scored — multiple_choice (log-likelihood of each choice), generate_until (stop sequences, answer regexes,
// exact match) or loglikelihood_rolling (perplexity over whole documents). Every required field is checked
// when the file is loaded, so a broken task fails with its file and field named before any model runs.
using System.Text.Json;

namespace SharpLM.Eval.Harness;

public enum TaskType { MultipleChoice, GenerateUntil, LoglikelihoodRolling }
public enum DataFormat { Jsonl, MmluCsv, CevalCsv }

public sealed record TaskSpec
{
    public required string Name { get; init; }
    public required string SourceFile { get; init; }
    public required TaskType Type { get; init; }
    public required string DataPath { get; init; }
    public DataFormat Format { get; init; }
    /// <summary>Prompt of a document, e.g. "Question: {question}\nAnswer:" (rolling tasks: the text itself, e.g. "{text}").</summary>
    public required string Template { get; init; }
    /// <summary>Target appended to few-shot examples, e.g. " {answer}".</summary>
    public string TargetTemplate { get; init; } = "";
    public string FewShotSeparator { get; init; } = "\n\n";
    public string Description { get; init; } = "";
    public int FewShot { get; init; }
    public int Seed { get; init; } = 1234;
    /// <summary>multiple_choice: continuation of each choice; {choice} is its text, {label} its letter.</summary>
    public string ChoiceTemplate { get; init; } = " {choice}";
    /// <summary>JSONL multiple choice: the array field with the choices and the field with the gold index or letter.</summary>
    public string ChoicesField { get; init; } = "choices";
    public string GoldField { get; init; } = "answer";
    public IReadOnlyList<string> Until { get; init; } = [];
    public int MaxNewTokens { get; init; } = 256;
    /// <summary>generate_until: regex whose group 1 is the reference answer, applied to ReferenceField.</summary>
    public string ReferenceField { get; init; } = "answer";
    public string ReferenceRegex { get; init; } = "";
    /// <summary>generate_until: regexes tried in order on the output; the last match of the first that matches wins.</summary>
    public IReadOnlyList<string> PredictionRegexes { get; init; } = [];
    /// <summary>Regexes removed from both answers before exact match (lm-eval's regexes_to_ignore).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>Loads and validates a task file; relative data paths are resolved against the file's folder.</summary>
    public static TaskSpec Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new TaskSpecException($"{path}: cannot read the task file: {e.Message}"); }
        JsonElement root;
        try { root = JsonDocument.Parse(text).RootElement; }
        catch (JsonException e) { throw new TaskSpecException($"{path}: not valid JSON: {e.Message}"); }
        var r = new Reader(path, root);
        var type = r.Str("output_type") switch
        {
            "multiple_choice" => TaskType.MultipleChoice,
            "generate_until" => TaskType.GenerateUntil,
            "loglikelihood_rolling" => TaskType.LoglikelihoodRolling,
            var s => throw new TaskSpecException($"{path}: field 'output_type' is '{s}'; expected multiple_choice, generate_until or loglikelihood_rolling."),
        };
        var format = r.OptStr("data.format") switch
        {
            null or "jsonl" => DataFormat.Jsonl,
            "mmlu_csv" => DataFormat.MmluCsv,
            "ceval_csv" => DataFormat.CevalCsv,
            var s => throw new TaskSpecException($"{path}: field 'data.format' is '{s}'; expected jsonl, mmlu_csv or ceval_csv."),
        };
        var dataPath = r.Str("data.path");
        var spec = new TaskSpec
        {
            Name = r.Str("name"),
            SourceFile = path,
            Type = type,
            DataPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataPath)),
            Format = format,
            Template = r.Str("prompt.template"),
            TargetTemplate = r.OptStr("prompt.target") ?? "",
            FewShotSeparator = r.OptStr("prompt.separator") ?? "\n\n",
            Description = r.OptStr("prompt.description") ?? "",
            FewShot = r.OptInt("fewshot.count") ?? 0,
            Seed = r.OptInt("fewshot.seed") ?? 1234,
            ChoiceTemplate = r.OptStr("choices.template") ?? " {choice}",
            ChoicesField = r.OptStr("choices.field") ?? "choices",
            GoldField = r.OptStr("choices.gold") ?? "answer",
        };
        if (type == TaskType.GenerateUntil)
            spec = spec with
            {
                Until = r.StrList("generation.until"),
                MaxNewTokens = r.OptInt("generation.max_new_tokens") ?? 256,
                ReferenceField = r.OptStr("answer.reference_field") ?? "answer",
                ReferenceRegex = r.Str("answer.reference_regex"),
                PredictionRegexes = r.StrList("answer.prediction_regexes"),
                Ignore = r.OptStrList("answer.ignore") ?? [],
            };
        if (spec.FewShot > 0 && spec.TargetTemplate.Length == 0 && type != TaskType.MultipleChoice)
            throw new TaskSpecException($"{path}: missing field 'prompt.target' (needed for {spec.FewShot}-shot examples).");
        return spec;
    }

    private sealed class Reader(string file, JsonElement root)
    {
        private JsonElement? Find(string dotted)
        {
            var cur = root;
            foreach (var part in dotted.Split('.'))
            {
                if (cur.ValueKind != JsonValueKind.Object || !cur.TryGetProperty(part, out var next)) return null;
                cur = next;
            }
            return cur;
        }

        private JsonElement Need(string f) => Find(f) ?? throw new TaskSpecException($"{file}: missing field '{f}'.");

        public string Str(string f)
        {
            var e = Need(f);
            if (e.ValueKind != JsonValueKind.String) throw new TaskSpecException($"{file}: field '{f}' must be a string, got {e.ValueKind}.");
            return e.GetString()!;
        }

        public string? OptStr(string f) => Find(f) is null ? null : Str(f);

        public int? OptInt(string f)
        {
            if (Find(f) is not { } e) return null;
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v) || v < 0) throw new TaskSpecException($"{file}: field '{f}' must be a non-negative integer.");
            return v;
        }

        public string[] StrList(string f)
        {
            var e = Need(f);
            if (e.ValueKind != JsonValueKind.Array || e.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new TaskSpecException($"{file}: field '{f}' must be a list of strings.");
            return e.EnumerateArray().Select(x => x.GetString()!).ToArray();
        }

        public string[]? OptStrList(string f) => Find(f) is null ? null : StrList(f);
    }
}

/// <summary>A task file that cannot be used; the message names the file and the field.</summary>
public sealed class TaskSpecException(string message) : Exception(message);
