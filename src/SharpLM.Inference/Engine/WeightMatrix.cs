// WeightMatrix: a [rows, cols] weight kept in its stored ggml type inside the memory-mapped GGUF file
// (row r starts at Data + r·RowBytes). Only the types the engine's kernels read directly are accepted.
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Inference.Engine;

/// <summary>A 2-D weight in its stored type, pointing into the mapped file.</summary>
internal readonly unsafe struct WeightMatrix
{
    public readonly GgmlType Type;
    public readonly byte* Data;
    public readonly int Rows, Cols;
    public readonly long RowBytes;
    /// <summary>Q8_0/Q4_0 only: the rows packed for the int8 kernels (QuantGemm layout, owned by the engine), or null.</summary>
    public readonly byte* Packed;

    public WeightMatrix(GgmlType type, byte* data, int rows, int cols)
    {
        if (!IsSupported(type))
            throw new NotSupportedException($"DecoderEngine: weight type {type} is not supported (supported: {SupportedList}).");
        if (cols % type.BlockSize() != 0)
            throw new ArgumentException($"DecoderEngine: {cols} columns is not a multiple of the {type} block size {type.BlockSize()}.");
        Type = type; Data = data; Rows = rows; Cols = cols; RowBytes = type.ByteSize(cols);
    }

    private WeightMatrix(in WeightMatrix m, byte* packed)
    {
        this = m;
        Packed = packed;
    }

    /// <summary>This matrix with its rows also available packed at <paramref name="packed"/> (QuantGemm.PackAll).</summary>
    public WeightMatrix WithPacked(byte* packed) => new(this, packed);

    public static WeightMatrix From(GgufTensor t)
    {
        if (t.Shape.Length != 2) throw new ArgumentException($"DecoderEngine: tensor {t.Name} must be 2-D, has shape [{string.Join(", ", t.Shape)}].");
        if (!IsSupported(t.Type))
            throw new NotSupportedException($"DecoderEngine: tensor {t.Name} has type {t.Type}; supported: {SupportedList}.");
        return new WeightMatrix(t.Type, t.Pointer, t.Shape[0], t.Shape[1]);
    }

    /// <summary>The weight types the engine reads.</summary>
    public static readonly GgmlType[] SupportedTypes =
        [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];

    public static bool IsSupported(GgmlType t) => Array.IndexOf(SupportedTypes, t) >= 0;

    /// <summary>The supported types, for error messages.</summary>
    public static readonly string SupportedList = string.Join(", ", SupportedTypes);

    /// <summary>K-quants (256-value super-blocks): read by dequantising rows (RowDot.DequantizedRows), f32 activations.</summary>
    public static bool IsKQuant(GgmlType t) => t is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>True for the block-quantised types whose GEMV runs on int8 activations.</summary>
    public bool IsQuantized => Type is GgmlType.Q8_0 or GgmlType.Q4_0;

    /// <summary>Runs on Q8_0-quantised activations: Q8_0/Q4_0 always, K-quants once packed for the int8 kernels (AVX2 or AVX-512).</summary>
    public bool UsesInt8 => IsQuantized || (IsKQuant(Type) && Packed != null);

    public byte* Row(int r) => Data + r * RowBytes;

    /// <summary>Rows [first, first + count) as a matrix of their own (a fused q/k/v weight split without copying).</summary>
    public WeightMatrix RowRange(int first, int count)
    {
        if (Packed != null) throw new InvalidOperationException("WeightMatrix.Rows: split a matrix before packing it.");
        if (first < 0 || count < 1 || first + count > Rows) throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {first + count}) outside [0, {Rows}).");
        return new WeightMatrix(Type, Row(first), count, Cols);
    }
}
