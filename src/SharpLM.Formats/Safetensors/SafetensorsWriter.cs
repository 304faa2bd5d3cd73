// SafetensorsWriter: writes a safetensors file the way the reference library lays it out: tensors ordered by
// dtype size (largest first) then name, compact JSON header with "__metadata__" first, header padded with
// spaces to a multiple of 8 bytes, data packed back to back. Written atomically (path.tmp + rename).
// Entries are raw bytes (see SafetensorsEntry); SharpLM.Models adds the tensor overloads.
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SharpLM.Formats.Safetensors;

/// <summary>Collects entries and metadata, then writes one safetensors file (<see cref="Write"/>) or a
/// sharded checkpoint folder (<see cref="WriteSharded"/>).</summary>
public sealed partial class SafetensorsWriter
{
    private readonly List<SafetensorsEntry> _entries = [];

    /// <summary>String metadata written as <c>__metadata__</c> (none when null or empty).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }

    /// <summary>The entries added so far, in insertion order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries => _entries;

    /// <summary>Adds an entry (checked: known dtype, byte size matching the shape).</summary>
    public SafetensorsWriter Add(SafetensorsEntry entry)
    {
        entry.Validate();
        _entries.Add(entry);
        return this;
    }

    /// <summary>Adds a tensor whose bytes are in memory.</summary>
    public SafetensorsWriter Add(string name, string dtype, int[] shape, ReadOnlyMemory<byte> data) =>
        Add(SafetensorsEntry.FromBytes(name, dtype, shape, data));

    /// <summary>Adds a tensor of <paramref name="byteSize"/> bytes that <paramref name="writeData"/> writes when the file is written.</summary>
    public SafetensorsWriter Add(string name, string dtype, int[] shape, long byteSize, Action<Stream> writeData) =>
        Add(new SafetensorsEntry(name, dtype, shape, byteSize, writeData));

    /// <summary>Writes every entry (unique names) and <see cref="Metadata"/> to <paramref name="path"/>.</summary>
    public void Write(string path) => WriteFile(path, _entries, Metadata);

    private static void WriteFile(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var list = entries.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (e.Name == "__metadata__") throw new ArgumentException("SafetensorsWriter: '__metadata__' is reserved and cannot name a tensor.");
            if (!names.Add(e.Name)) throw new ArgumentException($"SafetensorsWriter: duplicate tensor name '{e.Name}'.");
        }
        list.Sort((a, b) =>
        {
            int c = SafetensorsFile.DTypeSize(b.DType).CompareTo(SafetensorsFile.DTypeSize(a.DType));
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });

        var header = Header(list, metadata);
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            s.Write(len);
            s.Write(header);
            foreach (var e in list)
            {
                long start = s.Position;
                e.WriteData(s);
                if (s.Position - start != e.ByteSize)
                    throw new InvalidOperationException($"SafetensorsWriter: '{e.Name}' wrote {s.Position - start} bytes, expected {e.ByteSize}.");
            }
        });
    }

    private static byte[] Header(List<SafetensorsEntry> list, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                j.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) j.WriteString(k, v);
                j.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in list)
            {
                j.WriteStartObject(e.Name);
                j.WriteString("dtype", e.DType);
                j.WriteStartArray("shape");
                foreach (var d in e.Shape) j.WriteNumberValue(d);
                j.WriteEndArray();
                j.WriteStartArray("data_offsets");
                j.WriteNumberValue(offset);
                j.WriteNumberValue(offset + e.ByteSize);
                j.WriteEndArray();
                j.WriteEndObject();
                offset += e.ByteSize;
            }
            j.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
