// GgufTensor: one tensor of an open GGUF file as raw bytes — name, ggml type, ne[]/shape, offset, byte size —
// pointing into the memory map. Shape is in PyTorch order (the reverse of ggml's ne[], where ne[0] varies
// fastest). Decoding to a SharpLM tensor lives in SharpLM.Models (GgufTensorExtensions).

namespace SharpLM.Formats.Gguf;

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

    /// <summary>The file the tensor lives in.</summary>
    public string FilePath => _file.Path;

    /// <summary>Absolute offset of the data in the file.</summary>
    public long FileOffset { get; }

    /// <summary>Pointer to the stored bytes inside the memory map (valid while the <see cref="GgufFile"/> is open).</summary>
    public byte* Pointer => _file.Pointer + FileOffset;

    /// <summary>The stored bytes (tensors under 2 GiB).</summary>
    public ReadOnlySpan<byte> Data => _file.Span(FileOffset, ByteSize);

    public override string ToString() => $"{Name}: {Type} [{string.Join(", ", Shape)}]";
}
