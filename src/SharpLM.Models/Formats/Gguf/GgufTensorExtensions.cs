// GgufTensorExtensions: turns a raw GGUF tensor (SharpLM.Formats) into a SharpLM tensor — decoded to f32
// through the quant codecs, or copied in its own dtype — and says which ggml types the codecs handle.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>Tensor adapters and codec capabilities for GGUF tensors.</summary>
public static class GgufTensorExtensions
{
    /// <summary>Whether <see cref="GgmlQuant.Dequantize"/> can decode this type to f32.</summary>
    public static bool CanDequantize(this GgmlType t) => t.CanQuantize() || t is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>Whether <see cref="GgmlQuant.Quantize"/> can encode f32 values to this type (K-quants are read only).</summary>
    public static bool CanQuantize(this GgmlType t) => t is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16
        or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0;

    /// <summary>A new f32 tensor with the decoded values (any type in <see cref="CanDequantize"/>).</summary>
    public static unsafe Tensor Dequantize(this GgufTensor g)
    {
        if (!g.Type.CanDequantize())
            throw new ModelFormatException(g.FilePath, g.Name, $"cannot dequantize ggml type {g.Type} (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        var t = Tensor.Empty(g.Shape, DType.F32);
        try
        {
            // Decode row by row so no single span exceeds 2 GiB.
            long rowLen = (long)g.Ne[0], rows = g.Numel / Math.Max(1, rowLen), rowBytes = g.Type.ByteSize(rowLen);
            var dst = (float*)t.RawPointer;
            for (long r = 0; r < rows; r++)
                GgmlQuant.Dequantize(g.Type, new ReadOnlySpan<byte>(g.Pointer + r * rowBytes, (int)rowBytes), new Span<float>(dst + r * rowLen, (int)rowLen));
            return t;
        }
        catch { t.Dispose(); throw; }
    }

    /// <summary>A new tensor with the values in their own dtype (F32, F16, BF16 and I32 only; no conversion).</summary>
    public static unsafe Tensor ToTensor(this GgufTensor g)
    {
        DType dtype = g.Type switch
        {
            GgmlType.F32 => DType.F32, GgmlType.F16 => DType.F16, GgmlType.BF16 => DType.BF16, GgmlType.I32 => DType.I32,
            _ => throw new ModelFormatException(g.FilePath, g.Name, $"ToTensor needs F32, F16, BF16 or I32, found {g.Type}; use Dequantize()"),
        };
        var t = Tensor.Empty(g.Shape, dtype);
        Buffer.MemoryCopy(g.Pointer, t.RawPointer, g.ByteSize, g.ByteSize);
        return t;
    }
}
