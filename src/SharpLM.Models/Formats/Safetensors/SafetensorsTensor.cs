// SafetensorsTensor: one tensor of an open safetensors file — dtype name, shape, and its bytes in the map.
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Safetensors;

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

    /// <summary>A new tensor: F32/F16/BF16/I32 kept as they are, I64 narrowed to I32 (range-checked), F64 to F32.</summary>
    public Tensor ToTensor()
    {
        switch (DTypeName)
        {
            case "F32": return Copy(DType.F32);
            case "F16": return Copy(DType.F16);
            case "BF16": return Copy(DType.BF16);
            case "I32": return Copy(DType.I32);
            case "I64":
            {
                var t = Tensor.Empty(Shape, DType.I32);
                var src = (long*)Pointer;
                var dst = (int*)t.RawPointer;
                for (long i = 0; i < t.Numel; i++)
                {
                    long v = src[i];
                    if (v is < int.MinValue or > int.MaxValue)
                    {
                        t.Dispose();
                        throw ModelFormatException.Expected(_file.Path, Name, "I64 values within the int32 range", $"{v} at element {i}");
                    }
                    dst[i] = (int)v;
                }
                return t;
            }
            case "F64":
            {
                var t = Tensor.Empty(Shape, DType.F32);
                var src = (double*)Pointer;
                var dst = (float*)t.RawPointer;
                for (long i = 0; i < t.Numel; i++) dst[i] = (float)src[i];
                return t;
            }
            default:
                throw ModelFormatException.Expected(_file.Path, Name, "dtype F32, F16, BF16, I32, I64 or F64 to build a tensor", DTypeName);
        }
    }

    private Tensor Copy(DType dtype)
    {
        var t = Tensor.Empty(Shape, dtype);
        Buffer.MemoryCopy(Pointer, t.RawPointer, ByteSize, ByteSize);
        return t;
    }

    public override string ToString() => $"{Name}: {DTypeName} [{string.Join(", ", Shape)}]";
}
