// GgufFile: a memory-mapped GGUF reader (ggml docs/gguf.md, versions 2 and 3). Layout, little-endian:
//   "GGUF" | u32 version | u64 tensor_count | u64 kv_count | kv_count × (string key, u32 type, value)
//   | tensor_count × (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset)
//   | padding to general.alignment (default 32) | data (each tensor at data_start + offset, offset aligned)
// A string is u64 length + UTF-8 bytes; an array is u32 element type + u64 count + elements.
// Every count is checked against the bytes that remain before anything is allocated.
namespace SharpLM.Formats.Gguf;

/// <summary>An open GGUF file: metadata and tensor infos parsed, tensor data left in the memory map.</summary>
public sealed class GgufFile : IDisposable
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>Alignment of the data section and of tensor offsets when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    private const int MaxDims = 4;
    private const int MaxNestingDepth = 8;

    private readonly MappedFile _file;
    private readonly bool _strictUtf8;
    private readonly Dictionary<string, GgufValue> _metadata = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, GgufTensor> _tensorsByName = new(StringComparer.Ordinal);
    private readonly List<GgufTensor> _tensors = [];

    /// <summary>The file path.</summary>
    public string Path => _file.Path;

    /// <summary>Format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Alignment of the data section.</summary>
    public int Alignment { get; }

    /// <summary>Absolute offset of the data section.</summary>
    public long DataOffset { get; }

    /// <summary>Metadata keys in file order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Metadata by key.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<GgufTensor> Tensors => _tensors;

    private GgufFile(MappedFile file, bool strictUtf8)
    {
        _file = file;
        _strictUtf8 = strictUtf8;
        var c = file.Cursor();
        uint magic = c.U32("magic");
        if (magic != Magic) throw ModelFormatException.Expected(Path, "magic", "\"GGUF\" (0x46554747)", $"0x{magic:x8}");
        Version = c.U32("version");
        if (Version is not (2 or 3)) throw ModelFormatException.Expected(Path, "version", "2 or 3", Version);
        ulong nTensors = c.U64("tensor_count");
        ulong nKv = c.U64("metadata_kv_count");
        // Smallest possible kv: 8-byte key length + 4-byte type + 1-byte value; tensor info: 8+4+8+4+8.
        if (nKv > (ulong)c.Remaining / 13) throw ModelFormatException.Expected(Path, "metadata_kv_count", $"at most {c.Remaining / 13} for {c.Remaining} remaining bytes", nKv);
        if (nTensors > (ulong)c.Remaining / 32) throw ModelFormatException.Expected(Path, "tensor_count", $"at most {c.Remaining / 32} for {c.Remaining} remaining bytes", nTensors);

        for (ulong i = 0; i < nKv; i++)
        {
            string key = c.GgufString($"metadata key #{i}", strictUtf8);
            var type = (GgufValueType)c.U32(key);
            var value = ReadValue(ref c, type, key, 0);
            if (!_metadata.TryAdd(key, value)) throw new ModelFormatException(Path, key, "duplicate metadata key");
            _keys.Add(key);
        }

        Alignment = DefaultAlignment;
        if (_metadata.TryGetValue(GgufKeys.GeneralAlignment, out var al))
        {
            if (al.Type != GgufValueType.UInt32) throw ModelFormatException.Expected(Path, GgufKeys.GeneralAlignment, "uint32", al.Describe());
            uint a = (uint)al.Value;
            if (a == 0 || (a & (a - 1)) != 0 || a > 1 << 20) throw ModelFormatException.Expected(Path, GgufKeys.GeneralAlignment, "a power of two up to 2^20", a);
            Alignment = (int)a;
        }

        var infos = new List<(string Name, GgmlType Type, ulong[] Ne, ulong Offset, long Numel, long Bytes)>();
        for (ulong i = 0; i < nTensors; i++)
        {
            string name = c.GgufString($"tensor #{i} name");
            uint nDims = c.U32(name + " n_dims");
            if (nDims is 0 or > MaxDims) throw ModelFormatException.Expected(Path, name, $"n_dims in 1..{MaxDims}", nDims);
            var ne = new ulong[nDims];
            long numel = 1;
            for (int d = 0; d < nDims; d++)
            {
                ne[d] = c.U64($"{name} ne[{d}]");
                if (ne[d] > int.MaxValue) throw ModelFormatException.Expected(Path, name, $"ne[{d}] at most {int.MaxValue}", ne[d]);
                numel = ne[d] == 0 ? 0 : (numel > long.MaxValue / (long)ne[d] ? throw new ModelFormatException(Path, name, "element count overflows int64") : numel * (long)ne[d]);
            }
            uint typeId = c.U32(name + " type");
            var type = (GgmlType)typeId;
            var geometry = GgmlTypes.TryGeometry(type) ?? throw ModelFormatException.Expected(Path, name, "a known ggml type id", typeId);
            if (ne[0] % (ulong)geometry.BlockSize != 0)
                throw ModelFormatException.Expected(Path, name, $"ne[0] a multiple of the {type} block size {geometry.BlockSize}", ne[0]);
            ulong offset = c.U64(name + " offset");
            if (numel > long.MaxValue / 8) throw ModelFormatException.Expected(Path, name, "fewer than 2^60 elements", numel);
            long bytes = numel / geometry.BlockSize * geometry.TypeSize;
            infos.Add((name, type, ne, offset, numel, bytes));
        }

        long dataStart = AlignUp(c.Position, Alignment);
        DataOffset = dataStart;
        long dataLen = Math.Max(0, file.Length - dataStart);
        foreach (var (name, type, ne, offset, numel, bytes) in infos)
        {
            if (offset % (ulong)Alignment != 0) throw ModelFormatException.Expected(Path, name, $"data offset a multiple of {Alignment}", offset);
            if (offset > (ulong)dataLen || (ulong)bytes > (ulong)dataLen - offset)
                throw ModelFormatException.Expected(Path, name, $"data [{offset}, {offset}+{bytes}) inside the {dataLen}-byte data section", "it runs past the end of the file");
            var t = new GgufTensor(file, name, type, ne, dataStart + (long)offset, bytes, numel);
            if (!_tensorsByName.TryAdd(name, t)) throw new ModelFormatException(Path, name, "duplicate tensor name");
            _tensors.Add(t);
        }
    }

    /// <summary>Opens and parses <paramref name="path"/>; throws <see cref="ModelFormatException"/> on malformed input.
    /// With <paramref name="strictUtf8"/> a metadata string that is not valid UTF-8 is an error instead of
    /// being decoded with U+FFFD replacements (tokenizer vocabularies need the exact strings).</summary>
    public static GgufFile Open(string path, bool strictUtf8 = false)
    {
        var map = new MappedFile(path);
        try { return new GgufFile(map, strictUtf8); }
        catch { map.Dispose(); throw; }
    }

    /// <summary>Whether <paramref name="path"/> is a file that starts with the GGUF magic.</summary>
    public static bool IsGguf(string path)
    {
        if (!ModelPath.FileExists(path)) return false; // a dangling link throws, naming its target
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.Read(head) == 4 && BitConverter.ToUInt32(head) == Magic;
    }

    internal static long AlignUp(long x, int alignment) => (x + alignment - 1) / alignment * alignment;

    private GgufValue ReadValue(ref ByteCursor c, GgufValueType type, string key, int depth)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return GgufValue.UInt8(c.U8(key));
            case GgufValueType.Int8: return GgufValue.Int8(c.I8(key));
            case GgufValueType.UInt16: return GgufValue.UInt16(c.U16(key));
            case GgufValueType.Int16: return GgufValue.Int16(c.I16(key));
            case GgufValueType.UInt32: return GgufValue.UInt32(c.U32(key));
            case GgufValueType.Int32: return GgufValue.Int32(c.I32(key));
            case GgufValueType.Float32: return GgufValue.Float32(c.F32(key));
            case GgufValueType.Bool: return GgufValue.Bool(c.U8(key) != 0);
            case GgufValueType.String: return GgufValue.String(c.GgufString(key, _strictUtf8));
            case GgufValueType.UInt64: return GgufValue.UInt64(c.U64(key));
            case GgufValueType.Int64: return GgufValue.Int64(c.I64(key));
            case GgufValueType.Float64: return GgufValue.Float64(c.F64(key));
            case GgufValueType.Array:
                if (depth >= MaxNestingDepth) throw ModelFormatException.Expected(Path, key, $"arrays nested at most {MaxNestingDepth} deep", "deeper nesting");
                var et = (GgufValueType)c.U32(key + " element type");
                ulong n = c.U64(key + " element count");
                int minSize = MinSize(et, key);
                if (n > (ulong)(c.Remaining / minSize))
                    throw ModelFormatException.Expected(Path, key, $"at most {c.Remaining / minSize} {et} elements in the {c.Remaining} remaining bytes", n);
                return ReadArray(ref c, et, (int)n, key, depth);
            default:
                throw ModelFormatException.Expected(Path, key, "a GGUF value type id 0..12", (uint)type);
        }
    }

    private int MinSize(GgufValueType t, string key) => t switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw ModelFormatException.Expected(Path, key, "an array element type id 0..12", (uint)t),
    };

    private GgufValue ReadArray(ref ByteCursor c, GgufValueType et, int n, string key, int depth)
    {
        switch (et)
        {
            case GgufValueType.UInt8: { var a = new byte[n]; for (int i = 0; i < n; i++) a[i] = c.U8(key); return GgufValue.Array(a); }
            case GgufValueType.Int8: { var a = new sbyte[n]; for (int i = 0; i < n; i++) a[i] = c.I8(key); return GgufValue.Array(a); }
            case GgufValueType.UInt16: { var a = new ushort[n]; for (int i = 0; i < n; i++) a[i] = c.U16(key); return GgufValue.Array(a); }
            case GgufValueType.Int16: { var a = new short[n]; for (int i = 0; i < n; i++) a[i] = c.I16(key); return GgufValue.Array(a); }
            case GgufValueType.UInt32: { var a = new uint[n]; for (int i = 0; i < n; i++) a[i] = c.U32(key); return GgufValue.Array(a); }
            case GgufValueType.Int32: { var a = new int[n]; for (int i = 0; i < n; i++) a[i] = c.I32(key); return GgufValue.Array(a); }
            case GgufValueType.Float32: { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = c.F32(key); return GgufValue.Array(a); }
            case GgufValueType.Bool: { var a = new bool[n]; for (int i = 0; i < n; i++) a[i] = c.U8(key) != 0; return GgufValue.Array(a); }
            case GgufValueType.String: { var a = new string[n]; for (int i = 0; i < n; i++) a[i] = c.GgufString(key, _strictUtf8); return GgufValue.Array(a); }
            case GgufValueType.UInt64: { var a = new ulong[n]; for (int i = 0; i < n; i++) a[i] = c.U64(key); return GgufValue.Array(a); }
            case GgufValueType.Int64: { var a = new long[n]; for (int i = 0; i < n; i++) a[i] = c.I64(key); return GgufValue.Array(a); }
            case GgufValueType.Float64: { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = c.F64(key); return GgufValue.Array(a); }
            default:
                var nested = new GgufValue[n];
                for (int i = 0; i < n; i++) nested[i] = ReadValue(ref c, GgufValueType.Array, key, depth + 1);
                return GgufValue.Array(nested);
        }
    }

    /// <summary>The tensor called <paramref name="name"/>; throws <see cref="ModelFormatException"/> when absent.</summary>
    public GgufTensor Tensor(string name) =>
        _tensorsByName.TryGetValue(name, out var t) ? t : throw new ModelFormatException(Path, name, "no such tensor");

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public GgufTensor? TryGetTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>The metadata value for <paramref name="key"/>, or null.</summary>
    public GgufValue? TryGet(string key) => _metadata.GetValueOrDefault(key);

    /// <summary>The metadata value; throws <see cref="ModelFormatException"/> when absent.</summary>
    public GgufValue Get(string key) =>
        _metadata.TryGetValue(key, out var v) ? v : throw new ModelFormatException(Path, key, "missing metadata key");

    /// <summary>A string value.</summary>
    public string GetString(string key) => As(key, v => v.AsString(), "string");

    /// <summary>An integer value of any width.</summary>
    public long GetInt64(string key) => As(key, v => v.AsInt64(), "integer");

    /// <summary>A numeric value as double.</summary>
    public double GetDouble(string key) => As(key, v => v.AsDouble(), "number");

    /// <summary>A typed array value.</summary>
    public T[] GetArray<T>(string key) => As(key, v => v.AsArray<T>(), $"array of {typeof(T).Name}");

    private T As<T>(string key, Func<GgufValue, T> f, string wanted)
    {
        var v = Get(key);
        try { return f(v); }
        catch (InvalidCastException) { throw ModelFormatException.Expected(Path, key, wanted, v.Describe()); }
    }

    /// <summary>Unmaps the file; tensors of this file must not be used afterwards.</summary>
    public void Dispose() => _file.Dispose();
}
