// GgufTensor: one tensor of an open GGUF file, kept in its stored ggml type and pointing into the memory
// map. Shape is in PyTorch order (the reverse of ggml's ne[], where ne[0] varies fastest).
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>A tensor in a GGUF file: name, ggml type, logical shape and its bytes in the mapped file.</summary>
public sealed unsafe class GgufTensor
{
    private readonly MappedFile _file;

    internal GgufTensor(MappedFile file, string name, GgmlType type, ulong[] ne, long fileOffset, long byteSize, long numel)
    {
        _file = file;
        Name = name;
        Type = type;
        Ne = ne;
        FileOffset = fileOffset;
        ByteSize = byteSize;
        Numel = numel;
        Shape = new int[ne.Length];
        for (int i = 0; i < ne.Length; i++) Shape[i] = (int)ne[ne.Length - 1 - i];
    }

    /// <summary>Tensor name, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Stored element type.</summary>
    public GgmlType Type { get; }

    /// <summary>Logical shape in PyTorch order (outermost first); a Linear weight [out, in].</summary>
    public int[] Shape { get; }

    /// <summary>ggml dims ne[] as stored (ne[0] is the fastest-varying: [in, out] for a Linear weight).</summary>
    public ulong[] Ne { get; }

    /// <summary>Number of values.</summary>
    public long Numel { get; }

    /// <summary>Bytes of stored data.</summary>
    public long ByteSize { get; }

    /// <summary>Absolute offset of the data in the file.</summary>
    public long FileOffset { get; }

    /// <summary>Pointer to the stored bytes inside the memory map (valid while the <see cref="GgufFile"/> is open).</summary>
    public byte* Pointer => _file.Pointer + FileOffset;

    /// <summary>The stored bytes (tensors under 2 GiB).</summary>
    public ReadOnlySpan<byte> Data => _file.Span(FileOffset, ByteSize);

    /// <summary>A new f32 tensor with the decoded values (any type in <see cref="GgmlTypes.CanDequantize"/>).</summary>
    public Tensor Dequantize()
    {
        if (!Type.CanDequantize())
            throw new ModelFormatException(_file.Path, Name, $"cannot dequantize ggml type {Type} (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        var t = Tensor.Empty(Shape, DType.F32);
        try
        {
            // Decode row by row so no single span exceeds 2 GiB.
            long rowLen = (long)Ne[0], rows = Numel / Math.Max(1, rowLen), rowBytes = Type.ByteSize(rowLen);
            var dst = (float*)t.RawPointer;
            for (long r = 0; r < rows; r++)
                GgmlQuant.Dequantize(Type, new ReadOnlySpan<byte>(Pointer + r * rowBytes, (int)rowBytes), new Span<float>(dst + r * rowLen, (int)rowLen));
            return t;
        }
        catch { t.Dispose(); throw; }
    }

    /// <summary>A new tensor with the values in their own dtype (F32, F16, BF16 and I32 only; no conversion).</summary>
    public Tensor ToTensor()
    {
        DType dtype = Type switch
        {
            GgmlType.F32 => DType.F32, GgmlType.F16 => DType.F16, GgmlType.BF16 => DType.BF16, GgmlType.I32 => DType.I32,
            _ => throw new ModelFormatException(_file.Path, Name, $"ToTensor needs F32, F16, BF16 or I32, found {Type}; use Dequantize()"),
        };
        var t = Tensor.Empty(Shape, dtype);
        Buffer.MemoryCopy(Pointer, t.RawPointer, ByteSize, ByteSize);
        return t;
    }

    public override string ToString() => $"{Name}: {Type} [{string.Join(", ", Shape)}]";
}
