// SafetensorsFile: a memory-mapped reader of the safetensors format (huggingface/safetensors):
//   u64 N (little-endian) | N bytes of UTF-8 JSON header | data
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the data start) plus an optional "__metadata__" string→string map. Validation follows the reference
// library: offsets inside the file, tensors contiguous and non-overlapping covering the whole data section,
// and numel × dtype size == end − begin.
using System.Text.Json;

namespace SharpLM.Formats.Safetensors;

/// <summary>An open safetensors file.</summary>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>Largest header accepted (as the reference library: 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MappedFile _file;
    private readonly Dictionary<string, SafetensorsTensor> _byName = new(StringComparer.Ordinal);
    private readonly List<SafetensorsTensor> _tensors = [];
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>The file path.</summary>
    public string Path => _file.Path;

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Tensors in data order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors => _tensors;

    /// <summary>Bytes per element of a dtype name, or 0 for an unknown one.</summary>
    public static int DTypeSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E4M3" or "F8_E5M2" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => 0,
    };

    private unsafe SafetensorsFile(MappedFile file)
    {
        _file = file;
        var c = file.Cursor();
        ulong n = c.U64("header length");
        if (n > (ulong)c.Remaining)
            throw ModelFormatException.Expected(Path, "header length", $"at most the {c.Remaining} bytes after it", n);
        if (n > MaxHeaderBytes) throw ModelFormatException.Expected(Path, "header length", $"at most {MaxHeaderBytes}", n);
        var header = c.Bytes((long)n, "header");
        long dataStart = 8 + (long)n, dataLen = file.Length - dataStart;

        if (!System.Text.Unicode.Utf8.IsValid(header)) throw ModelFormatException.Expected(Path, "header", "valid UTF-8 JSON", "invalid UTF-8 bytes");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header.ToArray()); }
        catch (JsonException e) { throw new ModelFormatException(Path, "header", $"invalid JSON: {e.Message}", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw ModelFormatException.Expected(Path, "header", "a JSON object", doc.RootElement.ValueKind);
            var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw new ModelFormatException(Path, prop.Name, "duplicate key in header");
                if (prop.Name == "__metadata__") { ReadMetadata(prop.Value); continue; }
                entries.Add(ReadEntry(prop.Name, prop.Value, dataLen));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expect = 0;
            foreach (var e in entries)
            {
                if (e.Begin != expect)
                    throw ModelFormatException.Expected(Path, e.Name, $"data to start at {expect} (tensors contiguous, non-overlapping)", e.Begin);
                expect = e.End;
                var t = new SafetensorsTensor(file, e.Name, e.DType, e.Shape, dataStart + e.Begin, e.End - e.Begin);
                _byName.Add(e.Name, t);
                _tensors.Add(t);
            }
            if (expect != dataLen)
                throw ModelFormatException.Expected(Path, "data", $"tensors covering all {dataLen} data bytes", $"{expect} bytes covered");
        }
    }

    private void ReadMetadata(JsonElement m)
    {
        if (m.ValueKind != JsonValueKind.Object) throw ModelFormatException.Expected(Path, "__metadata__", "an object of strings", m.ValueKind);
        foreach (var p in m.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw ModelFormatException.Expected(Path, "__metadata__." + p.Name, "a string", p.Value.ValueKind);
            _metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private (string, string, int[], long, long) ReadEntry(string name, JsonElement e, long dataLen)
    {
        if (e.ValueKind != JsonValueKind.Object) throw ModelFormatException.Expected(Path, name, "an object with dtype, shape, data_offsets", e.ValueKind);
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw ModelFormatException.Expected(Path, name, "a string \"dtype\"", dt.ValueKind);
        string dtype = dt.GetString()!;
        int size = DTypeSize(dtype);
        if (size == 0) throw ModelFormatException.Expected(Path, name, "a known dtype (F32, F16, BF16, I32, I64, F64, …)", dtype);
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw ModelFormatException.Expected(Path, name, "an array \"shape\"", sh.ValueKind);
        var shape = new int[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw ModelFormatException.Expected(Path, name, "shape entries that are integers in 0..2^31-1", d.ToString());
            shape[i++] = v;
            numel = v == 0 || numel == 0 ? 0 : numel > long.MaxValue / 8 / v ? throw new ModelFormatException(Path, name, "element count overflows") : numel * v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw ModelFormatException.Expected(Path, name, "\"data_offsets\": [begin, end]", off.ValueKind == JsonValueKind.Undefined ? "none" : off.ToString());
        if (off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw ModelFormatException.Expected(Path, name, "data_offsets 0 <= begin <= end", off.ToString());
        if (end > dataLen) throw ModelFormatException.Expected(Path, name, $"data_offsets within the {dataLen}-byte data section", $"end {end}");
        if (numel * size != end - begin)
            throw ModelFormatException.Expected(Path, name, $"{numel} × {size} = {numel * size} bytes for {dtype} [{string.Join(", ", shape)}]", $"{end - begin} bytes");
        return (name, dtype, shape, begin, end);
    }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="ModelFormatException"/> on malformed input.</summary>
    public static SafetensorsFile Open(string path)
    {
        var map = new MappedFile(path);
        try { return new SafetensorsFile(map); }
        catch { map.Dispose(); throw; }
    }

    /// <summary>The tensor called <paramref name="name"/>; throws <see cref="ModelFormatException"/> when absent.</summary>
    public SafetensorsTensor Tensor(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new ModelFormatException(Path, name, "no such tensor");

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public SafetensorsTensor? TryGetTensor(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _file.Dispose();
}
