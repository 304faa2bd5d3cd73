// CorpusReader: documents from .txt (whole file, one per line, or one per blank-line paragraph), .jsonl / .jsonl.gz
// (a "text" field; malformed lines are skipped and reported as file:line) and .parquet (Parquet.Net, a "text" column).
using System.IO.Compression;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace SharpLM.Data.IO;

public enum TxtMode { File, Line, Paragraph }

/// <summary>Problems met while reading: skipped lines ("file:line: why"). A file that cannot be read at all (missing, a
/// folder, not gzip, not parquet, cut short) is an exception naming it, so no command writes an empty output for it.</summary>
public sealed class ReadReport
{
    public List<string> Skipped { get; } = [];
}

public static class CorpusReader
{
    public static IEnumerable<Document> Read(string path, ReadReport report, TxtMode txtMode = TxtMode.Paragraph, string textField = "text")
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected a .txt, .jsonl, .jsonl.gz or .parquet file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected a .txt, .jsonl, .jsonl.gz or .parquet file.", path);
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
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (gz) GzipCheck.RequireMagic(path);
        var counted = new CountingStream(gz ? new GZipStream(File.OpenRead(path), CompressionMode.Decompress) : File.OpenRead(path));
        using var r = new StreamReader(counted, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
        var name = Path.GetFileName(path);
        int lineNo = 0;
        string? line;
        while ((line = NextLine(r, path)) is not null)
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
        // GZipStream ends quietly at the end of a cut-short file: the trailer's size says whether it was all there.
        if (gz) GzipCheck.RequireComplete(path, counted.BytesRead);
    }

    private static string? NextLine(StreamReader r, string path)
    {
        try { return r.ReadLine(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message}); expected gzip-compressed JSON lines.", e); }
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
            if (df is null) throw new InvalidDataException($"{path}: no column '{field}' (columns: {string.Join(", ", reader.Schema.GetDataFields().Select(f => f.Name))}); expected a string column '{field}'.");
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
        catch (Exception e) when (e is IOException or NotSupportedException or InvalidOperationException or ArgumentException
                                   || (e is InvalidDataException && !e.Message.StartsWith(path)))
        {
            throw new InvalidDataException($"{path}: not a readable parquet file ({e.Message.TrimEnd('.')}); expected Apache Parquet with a string column '{field}'.", e);
        }
        return docs;
    }

    private sealed class DisposeAsyncGuard(IAsyncDisposable d) : IDisposable
    {
        public void Dispose() => d.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
