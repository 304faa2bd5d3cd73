// CorpusReader: documents from .txt (whole file, one per line, or one per blank-line paragraph), .jsonl / .jsonl.gz
// (a "text" field; malformed lines are skipped and reported as file:line) and .parquet (Parquet.Net, a "text" column).
using System.IO.Compression;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace SharpLM.Data.IO;

public enum TxtMode { File, Line, Paragraph }

/// <summary>Problems met while reading: skipped lines ("file:line: why") and unreadable files.</summary>
public sealed class ReadReport
{
    public List<string> Skipped { get; } = [];
    public List<string> Unreadable { get; } = [];
}

public static class CorpusReader
{
    public static IEnumerable<Document> Read(string path, ReadReport report, TxtMode txtMode = TxtMode.Paragraph, string textField = "text")
    {
        if (!File.Exists(path)) { report.Unreadable.Add($"{path}: file not found"); return []; }
        var name = path.ToLowerInvariant();
        if (name.EndsWith(".jsonl") || name.EndsWith(".jsonl.gz") || name.EndsWith(".json.gz") || name.EndsWith(".ndjson")) return ReadJsonl(path, report, textField);
        if (name.EndsWith(".parquet")) return ReadParquet(path, report, textField);
        return ReadTxt(path, txtMode);
    }

    private static IEnumerable<Document> ReadTxt(string path, TxtMode mode)
    {
        var text = File.ReadAllText(path).Replace("\r\n", "\n");
        var name = Path.GetFileName(path);
        switch (mode)
        {
            case TxtMode.File:
                yield return new Document(name, text, path);
                break;
            case TxtMode.Line:
                int i = 0;
                foreach (var l in text.Split('\n')) { i++; if (l.Trim().Length > 0) yield return new Document($"{name}:{i}", l, path); }
                break;
            default:
                int line = 1, start = 1;
                var buf = new List<string>();
                foreach (var l in text.Split('\n'))
                {
                    if (l.Trim().Length == 0)
                    {
                        if (buf.Count > 0) yield return new Document($"{name}:{start}", string.Join('\n', buf), path);
                        buf.Clear();
                    }
                    else { if (buf.Count == 0) start = line; buf.Add(l); }
                    line++;
                }
                if (buf.Count > 0) yield return new Document($"{name}:{start}", string.Join('\n', buf), path);
                break;
        }
    }

    private static IEnumerable<Document> ReadJsonl(string path, ReadReport report, string field)
    {
        Stream s = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) s = new GZipStream(s, CompressionMode.Decompress);
        using var r = new StreamReader(s);
        var name = Path.GetFileName(path);
        int lineNo = 0;
        string? line;
        while ((line = r.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            string? text = null, why = null;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) why = "not a JSON object";
                else if (!doc.RootElement.TryGetProperty(field, out var t) || t.ValueKind != JsonValueKind.String) why = $"no string field '{field}'";
                else text = t.GetString();
            }
            catch (JsonException e) { why = "malformed JSON: " + e.Message; }
            if (text is null) { report.Skipped.Add($"{path}:{lineNo}: {why}"); continue; }
            yield return new Document($"{name}:{lineNo}", text, path);
        }
    }

    private static IEnumerable<Document> ReadParquet(string path, ReadReport report, string field)
    {
        var docs = new List<Document>();
        try
        {
            using var stream = File.OpenRead(path);
            var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
            using var _ = new DisposeAsyncGuard(reader);
            var df = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == field);
            if (df is null) { report.Unreadable.Add($"{path}: no column '{field}' (columns: {string.Join(", ", reader.Schema.GetDataFields().Select(f => f.Name))})"); return docs; }
            long row = 0;
            var name = Path.GetFileName(path);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                var values = new string?[rg.RowCount];
                rg.ReadAsync(df, values.AsMemory(), null).GetAwaiter().GetResult();
                foreach (var v in values)
                {
                    row++;
                    if (v is { } t) docs.Add(new Document($"{name}#{row}", t, path));
                    else report.Skipped.Add($"{path}#{row}: '{field}' is null");
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            report.Unreadable.Add($"{path}: {e.Message}");
        }
        return docs;
    }

    private sealed class DisposeAsyncGuard(IAsyncDisposable d) : IDisposable
    {
        public void Dispose() => d.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
