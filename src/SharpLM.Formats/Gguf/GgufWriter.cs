// GgufWriter: builds a GGUF v3 file from metadata and pre-encoded tensor bytes of any ggml type (encoding a
// SharpLM tensor is SharpLM.Models' GgufWriterExtensions.AddTensor). Tensors are laid out in insertion order,
// each at an offset that is a multiple of the alignment; the file is written atomically (path.tmp + rename).
using System.Text;

namespace SharpLM.Formats.Gguf;

/// <summary>Collects metadata and tensors, then writes one GGUF file.</summary>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValue Value)> _kv = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<(string Name, GgmlType Type, ulong[] Ne, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Data alignment; a value other than 32 is recorded as <c>general.alignment</c>.</summary>
    public int Alignment { get; init; } = GgufFile.DefaultAlignment;

    /// <summary>Adds one metadata entry (keys are unique; order is kept).</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        if (!_keys.Add(key)) throw new ArgumentException($"GgufWriter.Add: duplicate metadata key '{key}'.");
        _kv.Add((key, value));
        return this;
    }

    /// <summary>Adds pre-encoded data of <paramref name="type"/> with logical <paramref name="shape"/> (PyTorch order).</summary>
    public GgufWriter AddTensorBytes(string name, GgmlType type, int[] shape, byte[] data)
    {
        if (shape.Length is 0 or > 4) throw new ArgumentException($"GgufWriter: '{name}' has {shape.Length} dims (expected 1..4).");
        if (!_names.Add(name)) throw new ArgumentException($"GgufWriter: duplicate tensor name '{name}'.");
        long numel = 1;
        foreach (var d in shape) numel *= d >= 0 ? d : throw new ArgumentException($"GgufWriter: '{name}' has a negative dim.");
        if (shape[^1] % type.BlockSize() != 0 || type.ByteSize(numel) != data.Length)
            throw new ArgumentException($"GgufWriter: '{name}' {type} [{string.Join(", ", shape)}] needs {type.ByteSize(numel)} bytes, got {data.Length}.");
        var ne = new ulong[shape.Length];
        for (int i = 0; i < shape.Length; i++) ne[i] = (ulong)shape[shape.Length - 1 - i];
        _tensors.Add((name, type, ne, data));
        return this;
    }

    /// <summary>Writes the file atomically.</summary>
    public void Write(string path)
    {
        int alignment = Alignment;
        var kv = new List<(string Key, GgufValue Value)>(_kv);
        if (_keys.Contains(GgufKeys.GeneralAlignment))
        {
            var v = _kv.First(e => e.Key == GgufKeys.GeneralAlignment).Value;
            alignment = v.Type == GgufValueType.UInt32 ? (int)(uint)v.Value : throw new ArgumentException("GgufWriter: general.alignment must be a uint32.");
        }
        else if (alignment != GgufFile.DefaultAlignment) kv.Add((GgufKeys.GeneralAlignment, GgufValue.UInt32((uint)alignment)));
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentException($"GgufWriter: alignment {alignment} is not a power of two.");

        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(GgufFile.Magic);
            w.Write(3u);
            w.Write((ulong)_tensors.Count);
            w.Write((ulong)kv.Count);
            foreach (var (key, value) in kv)
            {
                WriteString(w, key);
                w.Write((uint)value.Type);
                WriteValue(w, value);
            }
            long offset = 0;
            foreach (var (name, type, ne, data) in _tensors)
            {
                WriteString(w, name);
                w.Write((uint)ne.Length);
                foreach (var d in ne) w.Write(d);
                w.Write((uint)type);
                w.Write((ulong)offset);
                offset = GgufFile.AlignUp(offset + data.Length, alignment);
            }
            w.Flush();
            if (_tensors.Count > 0) Pad(w, alignment); // llama.cpp leaves a tensor-less file unpadded
            foreach (var t in _tensors)
            {
                w.Write(t.Data);
                Pad(w, alignment);
            }
        });
    }

    private static void Pad(BinaryWriter w, int alignment)
    {
        w.Flush();
        long pos = w.BaseStream.Position;
        for (long p = pos; p < GgufFile.AlignUp(pos, alignment); p++) w.Write((byte)0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValue v)
    {
        switch (v.Value)
        {
            case byte x: w.Write(x); break;
            case sbyte x: w.Write(x); break;
            case ushort x: w.Write(x); break;
            case short x: w.Write(x); break;
            case uint x: w.Write(x); break;
            case int x: w.Write(x); break;
            case float x: w.Write(x); break;
            case bool x: w.Write((byte)(x ? 1 : 0)); break;
            case string x: WriteString(w, x); break;
            case ulong x: w.Write(x); break;
            case long x: w.Write(x); break;
            case double x: w.Write(x); break;
            case Array a:
                w.Write((uint)v.ElementType);
                w.Write((ulong)a.Length);
                switch (a)
                {
                    case byte[] x: w.Write(x); break;
                    case sbyte[] x: foreach (var e in x) w.Write(e); break;
                    case ushort[] x: foreach (var e in x) w.Write(e); break;
                    case short[] x: foreach (var e in x) w.Write(e); break;
                    case uint[] x: foreach (var e in x) w.Write(e); break;
                    case int[] x: foreach (var e in x) w.Write(e); break;
                    case float[] x: foreach (var e in x) w.Write(e); break;
                    case bool[] x: foreach (var e in x) w.Write((byte)(e ? 1 : 0)); break;
                    case string[] x: foreach (var e in x) WriteString(w, e); break;
                    case ulong[] x: foreach (var e in x) w.Write(e); break;
                    case long[] x: foreach (var e in x) w.Write(e); break;
                    case double[] x: foreach (var e in x) w.Write(e); break;
                    case GgufValue[] x: foreach (var e in x) WriteValue(w, e); break;
                }
                break;
        }
    }
}
