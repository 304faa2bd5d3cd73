// SafetensorsTensor: one tensor of an open safetensors file — dtype name, shape, and its bytes in the map.

namespace SharpLM.Formats.Safetensors;

/// <summary>A tensor entry of a safetensors file, pointing into the memory map.</summary>
public sealed unsafe class SafetensorsTensor
{
    private readonly MappedFile _file;

    internal SafetensorsTensor(MappedFile file, string name, string dtype, int[] shape, long fileOffset, long byteSize)
    {
        _file = file;
        Name = name;
        DTypeName = dtype;
        Shape = shape;
        FileOffset = fileOffset;
        ByteSize = byteSize;
    }

    /// <summary>Tensor name.</summary>
    public string Name { get; }

    /// <summary>The dtype as written in the header ("F32", "BF16", "I64", …).</summary>
    public string DTypeName { get; }

    /// <summary>Shape (row-major, outermost first).</summary>
    public int[] Shape { get; }

    /// <summary>Number of bytes of data.</summary>
    public long ByteSize { get; }

    /// <summary>Absolute offset of the data in the file.</summary>
    public long FileOffset { get; }

    /// <summary>The file this tensor lives in.</summary>
    public string FilePath => _file.Path;

    /// <summary>Pointer to the data in the map (valid while the file is open).</summary>
    public byte* Pointer => _file.Pointer + FileOffset;

    /// <summary>The stored bytes (tensors under 2 GiB).</summary>
    public ReadOnlySpan<byte> Data => _file.Span(FileOffset, ByteSize);

    public override string ToString() => $"{Name}: {DTypeName} [{string.Join(", ", Shape)}]";
}
