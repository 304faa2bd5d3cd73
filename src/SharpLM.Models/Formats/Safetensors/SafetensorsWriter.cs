// SafetensorsWriter: writes a safetensors file the way the reference library lays it out: tensors ordered by
// dtype size (largest first) then name, compact JSON header with "__metadata__" first, header padded with
// spaces to a multiple of 8 bytes, data packed back to back. Written atomically (path.tmp + rename).
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using SharpLM.Tensors;
using SharpLM.Formats;
using SharpLM.Formats.Safetensors;

namespace SharpLM.Models.Formats.Safetensors;

/// <summary>Writes SharpLM tensors (F32, F16, BF16, I32) to a safetensors file.</summary>
public static class SafetensorsWriter
{
    /// <summary>The safetensors dtype name of a SharpLM dtype.</summary>
    public static string DTypeName(DType t) => t switch
    {
        DType.F32 => "F32", DType.F16 => "F16", DType.BF16 => "BF16", DType.I32 => "I32",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "no safetensors name"),
    };

    /// <summary>Writes <paramref name="tensors"/> (unique names) and optional string metadata to <paramref name="path"/>.</summary>
    public static unsafe void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in list)
        {
            if (name == "__metadata__") throw new ArgumentException("SafetensorsWriter: '__metadata__' is reserved and cannot name a tensor.");
            if (!names.Add(name)) throw new ArgumentException($"SafetensorsWriter: duplicate tensor name '{name}'.");
        }
        list.Sort((a, b) =>
        {
            int c = b.Value.DType.SizeOf().CompareTo(a.Value.DType.SizeOf());
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });

        var header = Header(list, metadata);
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            s.Write(len);
            s.Write(header);
            foreach (var (_, t) in list)
            {
                var dense = t.IsContiguous ? t : t.Contiguous();
                try
                {
                    long bytes = t.Numel * t.DType.SizeOf();
                    for (long o = 0; o < bytes; o += 1 << 30)
                        s.Write(new ReadOnlySpan<byte>((byte*)dense.RawPointer + o, (int)Math.Min(1 << 30, bytes - o)));
                }
                finally { if (!ReferenceEquals(dense, t)) dense.Dispose(); }
            }
        });
    }

    private static byte[] Header(List<KeyValuePair<string, Tensor>> list, IReadOnlyDictionary<string, string>? metadata)
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
            foreach (var (name, t) in list)
            {
                long bytes = t.Numel * t.DType.SizeOf();
                j.WriteStartObject(name);
                j.WriteString("dtype", DTypeName(t.DType));
                j.WriteStartArray("shape");
                foreach (var d in t.Shape) j.WriteNumberValue(d);
                j.WriteEndArray();
                j.WriteStartArray("data_offsets");
                j.WriteNumberValue(offset);
                j.WriteNumberValue(offset + bytes);
                j.WriteEndArray();
                j.WriteEndObject();
                offset += bytes;
            }
            j.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
