// SafetensorsEntry: one tensor to be written to a safetensors file, as the container sees it — a name, a dtype
// name, a shape and its raw little-endian bytes, either held in memory or produced by a callback at write time.
namespace SharpLM.Formats.Safetensors;

/// <summary>A tensor to write: <paramref name="ByteSize"/> bytes that <paramref name="WriteData"/> writes to the stream it is given.</summary>
public sealed record SafetensorsEntry(string Name, string DType, int[] Shape, long ByteSize, Action<Stream> WriteData)
{
    /// <summary>An entry whose bytes are already in memory.</summary>
    public static SafetensorsEntry FromBytes(string name, string dtype, int[] shape, ReadOnlyMemory<byte> data) =>
        new(name, dtype, shape, data.Length, s => s.Write(data.Span));

    /// <summary>Throws <see cref="ArgumentException"/> unless the dtype is known and the byte size matches the shape.</summary>
    internal void Validate()
    {
        int size = SafetensorsFile.DTypeSize(DType);
        if (size == 0) throw new ArgumentException($"SafetensorsWriter: '{Name}' has unknown dtype '{DType}'.");
        long numel = 1;
        foreach (var d in Shape)
        {
            if (d < 0) throw new ArgumentException($"SafetensorsWriter: '{Name}' has a negative dimension in shape [{string.Join(", ", Shape)}].");
            numel *= d;
        }
        if (numel * size != ByteSize)
            throw new ArgumentException($"SafetensorsWriter: '{Name}' is {DType} [{string.Join(", ", Shape)}], {numel * size} bytes, but {ByteSize} bytes were given.");
    }
}
