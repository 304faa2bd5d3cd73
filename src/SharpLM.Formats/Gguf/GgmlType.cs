// GgmlType: tensor element types of ggml/GGUF with their numeric ids (ggml.h `enum ggml_type`) and block
// geometry: a block of BlockSize values occupies TypeSize bytes; a row's length must be a multiple of it.
namespace SharpLM.Formats.Gguf;

/// <summary>ggml tensor type ids as stored in GGUF tensor infos.</summary>
public enum GgmlType : uint
{
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, BF16 = 30,
}

/// <summary>Block sizes and byte sizes of <see cref="GgmlType"/> values.</summary>
public static class GgmlTypes
{
    /// <summary>(values per block, bytes per block), or null for an id SharpLM does not know.</summary>
    public static (int BlockSize, int TypeSize)? TryGeometry(GgmlType t) => t switch
    {
        GgmlType.F32 => (1, 4), GgmlType.F16 => (1, 2), GgmlType.BF16 => (1, 2),
        GgmlType.Q4_0 => (32, 18), GgmlType.Q4_1 => (32, 20), GgmlType.Q5_0 => (32, 22), GgmlType.Q5_1 => (32, 24),
        GgmlType.Q8_0 => (32, 34), GgmlType.Q8_1 => (32, 36),
        GgmlType.Q2_K => (256, 84), GgmlType.Q3_K => (256, 110), GgmlType.Q4_K => (256, 144),
        GgmlType.Q5_K => (256, 176), GgmlType.Q6_K => (256, 210), GgmlType.Q8_K => (256, 292),
        GgmlType.I8 => (1, 1), GgmlType.I16 => (1, 2), GgmlType.I32 => (1, 4), GgmlType.I64 => (1, 8), GgmlType.F64 => (1, 8),
        _ => null,
    };

    /// <summary>Values per block.</summary>
    public static int BlockSize(this GgmlType t) => (TryGeometry(t) ?? throw Unknown(t)).BlockSize;

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(this GgmlType t) => (TryGeometry(t) ?? throw Unknown(t)).TypeSize;

    /// <summary>Bytes needed for <paramref name="numel"/> values (a multiple of the block size).</summary>
    public static long ByteSize(this GgmlType t, long numel) => numel / t.BlockSize() * t.TypeSize();

    private static ArgumentOutOfRangeException Unknown(GgmlType t) => new(nameof(t), t, "unknown ggml type id");
}
