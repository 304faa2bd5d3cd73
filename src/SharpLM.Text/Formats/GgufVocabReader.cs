// GgufVocabReader: a minimal reader of GGUF metadata (the key/value header of a llama.cpp model file), enough
// to load a tokenizer without depending on SharpLM.Models. Layout (GGUF v2/v3, little-endian):
//   "GGUF" magic, uint32 version, uint64 tensor_count, uint64 kv_count, then kv_count times:
//   string key (uint64 length + UTF-8 bytes), uint32 value type, value. Arrays are uint32 element type,
//   uint64 count, then the elements. Reading stops before the tensor infos; tensor data is never touched.
using System.Text;

namespace SharpLM.Text.Formats;

/// <summary>GGUF value types, with the numbering of the GGUF specification.</summary>
public enum GgufType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
}

/// <summary>One metadata value: its type, for arrays the element type, and the value
/// (a scalar, a string, or a typed array such as <c>string[]</c>, <c>float[]</c>, <c>int[]</c>).</summary>
public sealed record GgufValue(GgufType Type, object Value, GgufType ElementType = GgufType.UInt8);

/// <summary>Reads the key/value metadata of a GGUF file.</summary>
public static class GgufVocabReader
{
    private const uint Magic = 0x46554747; // "GGUF"

    /// <summary>Reads every key/value pair of <paramref name="path"/>, in file order.</summary>
    public static GgufMetadata Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads every key/value pair from a stream positioned at the start of a GGUF file.</summary>
    public static GgufMetadata Read(Stream stream, string name)
    {
        using var r = new BinaryReader(new BufferedStream(stream, 1 << 16), Encoding.UTF8, leaveOpen: true);
        string key = "(header)";
        try
        {
            uint magic = r.ReadUInt32();
            if (magic != Magic)
                throw new InvalidDataException($"{name}: not a GGUF file (magic 0x{magic:X8}, expected 0x{Magic:X8} \"GGUF\").");
            uint version = r.ReadUInt32();
            if (version < 2 || version > 3)
                throw new InvalidDataException($"{name}: GGUF version {version} is not supported (expected 2 or 3).");
            ulong tensorCount = r.ReadUInt64();
            ulong kvCount = r.ReadUInt64();
            if (kvCount > 1_000_000)
                throw new InvalidDataException($"{name}: implausible GGUF key/value count {kvCount}.");
            var kv = new List<KeyValuePair<string, GgufValue>>((int)kvCount);
            for (ulong i = 0; i < kvCount; i++)
            {
                key = $"(key #{i})";
                key = ReadString(r, name, key);
                var type = (GgufType)r.ReadUInt32();
                kv.Add(new(key, ReadValue(r, type, name, key)));
            }
            return new GgufMetadata(name, version, tensorCount, kv);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{name}: GGUF file ends early while reading {key}.");
        }
    }

    private static string ReadString(BinaryReader r, string name, string key)
    {
        ulong len = r.ReadUInt64();
        if (len > int.MaxValue) throw new InvalidDataException($"{name}: string of length {len} in {key} is too long.");
        var bytes = r.ReadBytes((int)len);
        if (bytes.Length != (int)len) throw new EndOfStreamException();
        try { return Utf8Strict.GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{name}: {key} holds a string that is not valid UTF-8."); }
    }

    private static readonly UTF8Encoding Utf8Strict = new(false, throwOnInvalidBytes: true);

    private static GgufValue ReadValue(BinaryReader r, GgufType type, string name, string key) => type switch
    {
        GgufType.UInt8 => new(type, r.ReadByte()),
        GgufType.Int8 => new(type, r.ReadSByte()),
        GgufType.UInt16 => new(type, r.ReadUInt16()),
        GgufType.Int16 => new(type, r.ReadInt16()),
        GgufType.UInt32 => new(type, r.ReadUInt32()),
        GgufType.Int32 => new(type, r.ReadInt32()),
        GgufType.Float32 => new(type, r.ReadSingle()),
        GgufType.Bool => new(type, r.ReadByte() != 0),
        GgufType.String => new(type, ReadString(r, name, key)),
        GgufType.UInt64 => new(type, r.ReadUInt64()),
        GgufType.Int64 => new(type, r.ReadInt64()),
        GgufType.Float64 => new(type, r.ReadDouble()),
        GgufType.Array => ReadArray(r, name, key),
        _ => throw new InvalidDataException($"{name}: key '{key}' has unknown GGUF value type {(uint)type} (expected 0..12)."),
    };

    private static GgufValue ReadArray(BinaryReader r, string name, string key)
    {
        var et = (GgufType)r.ReadUInt32();
        ulong n = r.ReadUInt64();
        if (n > int.MaxValue) throw new InvalidDataException($"{name}: array '{key}' has implausible length {n}.");
        int count = (int)n;
        object arr = et switch
        {
            GgufType.String => Fill(count, _ => ReadString(r, name, key)),
            GgufType.Float32 => Fill(count, _ => r.ReadSingle()),
            GgufType.Int32 => Fill(count, _ => r.ReadInt32()),
            GgufType.UInt32 => Fill(count, _ => r.ReadUInt32()),
            GgufType.UInt8 => Fill(count, _ => r.ReadByte()),
            GgufType.Int8 => Fill(count, _ => r.ReadSByte()),
            GgufType.UInt16 => Fill(count, _ => r.ReadUInt16()),
            GgufType.Int16 => Fill(count, _ => r.ReadInt16()),
            GgufType.UInt64 => Fill(count, _ => r.ReadUInt64()),
            GgufType.Int64 => Fill(count, _ => r.ReadInt64()),
            GgufType.Float64 => Fill(count, _ => r.ReadDouble()),
            GgufType.Bool => Fill(count, _ => r.ReadByte() != 0),
            GgufType.Array => Fill(count, _ => ReadArray(r, name, key)),
            _ => throw new InvalidDataException($"{name}: array '{key}' has unknown element type {(uint)et} (expected 0..12)."),
        };
        return new GgufValue(GgufType.Array, arr, et);
    }

    private static T[] Fill<T>(int count, Func<int, T> read)
    {
        var a = new T[count];
        for (int i = 0; i < count; i++) a[i] = read(i);
        return a;
    }
}
