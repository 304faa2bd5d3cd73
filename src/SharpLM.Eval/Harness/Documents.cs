// Documents: loading a task's documents — JSONL objects (string and number fields; an array field as the
// choices), the original MMLU release's CSV (no header: question, A, B, C, D, answer letter) and C-Eval's
// CSV (header id,question,A,B,C,D,answer[,explanation]). CSV follows RFC 4180 (quoted fields, doubled quotes,
// newlines inside quotes).
using System.Text;
using System.Text.Json;

namespace SharpLM.Eval.Harness;

/// <summary>One evaluation document: its named fields, its choices (multiple choice) and the gold choice index.</summary>
public sealed record EvalDoc(IReadOnlyDictionary<string, string> Fields, IReadOnlyList<string> Choices, int Gold);

public static class Documents
{
    private static readonly string[] Letters = ["A", "B", "C", "D", "E", "F", "G", "H"];

    public static List<EvalDoc> Load(TaskSpec spec)
    {
        if (!File.Exists(spec.DataPath)) throw new TaskSpecException($"{spec.SourceFile}: data file {spec.DataPath} (field 'data.path') does not exist.");
        return spec.Format switch
        {
            DataFormat.MmluCsv => LoadMmlu(spec.DataPath),
            DataFormat.CevalCsv => LoadCeval(spec.DataPath),
            _ => LoadJsonl(spec.DataPath, spec.ChoicesField, spec.GoldField),
        };
    }

    public static List<EvalDoc> LoadJsonl(string path, string choicesField = "choices", string goldField = "answer")
    {
        var docs = new List<EvalDoc>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var fields = new Dictionary<string, string>();
            IReadOnlyList<string> choices = [];
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == choicesField && p.Value.ValueKind == JsonValueKind.Array) choices = p.Value.EnumerateArray().Select(x => x.ToString()).ToArray();
                else fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            int gold = choices.Count > 0 && fields.TryGetValue(goldField, out var g) ? GoldIndex(g, choices.Count, $"{path}:{lineNo}") : -1;
            docs.Add(new EvalDoc(fields, choices, gold));
        }
        return docs;
    }

    public static List<EvalDoc> LoadMmlu(string path) =>
        ReadCsv(path).Select((row, i) =>
        {
            if (row.Count != 6) throw new FormatException($"{path}: row {i + 1} has {row.Count} columns; MMLU rows are question,A,B,C,D,answer.");
            return MakeChoiceDoc(row[0], row.Skip(1).Take(4).ToArray(), row[5], null, $"{path}: row {i + 1}");
        }).ToList();

    public static List<EvalDoc> LoadCeval(string path)
    {
        var rows = ReadCsv(path);
        if (rows.Count == 0) throw new FormatException($"{path}: empty C-Eval file.");
        var header = rows[0];
        int Col(string name) => header.IndexOf(name) is var k and >= 0 ? k : throw new FormatException($"{path}: C-Eval header lacks column '{name}' (expected id,question,A,B,C,D,answer).");
        int q = Col("question"), a = Col("A"), ans = Col("answer");
        int b = Col("B"), c = Col("C"), d = Col("D"), id = Col("id");
        return rows.Skip(1).Select((row, i) =>
            MakeChoiceDoc(row[q], [row[a], row[b], row[c], row[d]], row[ans], row[id], $"{path}: row {i + 2}")).ToList();
    }

    private static EvalDoc MakeChoiceDoc(string question, string[] choices, string answer, string? id, string where)
    {
        var fields = new Dictionary<string, string> { ["question"] = question, ["answer"] = answer.Trim() };
        for (int k = 0; k < choices.Length; k++) fields[Letters[k]] = choices[k];
        if (id is not null) fields["id"] = id;
        return new EvalDoc(fields, choices, GoldIndex(answer.Trim(), choices.Length, where));
    }

    private static int GoldIndex(string g, int n, string where)
    {
        int k = int.TryParse(g, out var idx) ? idx : Array.IndexOf(Letters, g.Trim());
        if (k < 0 || k >= n) throw new FormatException($"{where}: answer '{g}' is neither a choice letter nor an index below {n}.");
        return k;
    }

    /// <summary>RFC 4180 CSV rows.</summary>
    public static List<List<string>> ReadCsv(string path)
    {
        var text = File.ReadAllText(path);
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"': quoted = true; any = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    if (any || field.Length > 0) { row.Add(field.ToString()); rows.Add(row); }
                    row = []; field.Clear(); any = false; break;
                default: field.Append(ch); any = true; break;
            }
        }
        if (any || field.Length > 0) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }
}
