// SafetensorsTensorExtensions: turns a raw safetensors tensor (SharpLM.Formats) into a SharpLM tensor:
// F32/F16/BF16/I32 copied as they are, I64 narrowed to I32 (range-checked), F64 to F32.
using SharpLM.Formats;
using SharpLM.Formats.Safetensors;
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Safetensors;

/// <summary>Tensor adapter for <see cref="SafetensorsTensor"/>.</summary>
public static class SafetensorsTensorExtensions
{
    /// <summary>A new tensor: F32/F16/BF16/I32 kept as they are, I64 narrowed to I32 (range-checked), F64 to F32.</summary>
    public static unsafe Tensor ToTensor(this SafetensorsTensor s)
    {
        switch (s.DTypeName)
        {
            case "F32": return Copy(s, DType.F32);
            case "F16": return Copy(s, DType.F16);
            case "BF16": return Copy(s, DType.BF16);
            case "I32": return Copy(s, DType.I32);
            case "I64":
            {
                var t = Tensor.Empty(s.Shape, DType.I32);
                var src = (long*)s.Pointer;
                var dst = (int*)t.RawPointer;
                for (long i = 0; i < t.Numel; i++)
                {
                    long v = src[i];
                    if (v is < int.MinValue or > int.MaxValue)
                    {
                        t.Dispose();
                        throw ModelFormatException.Expected(s.FilePath, s.Name, "I64 values within the int32 range", $"{v} at element {i}");
                    }
                    dst[i] = (int)v;
                }
                return t;
            }
            case "F64":
            {
                var t = Tensor.Empty(s.Shape, DType.F32);
                var src = (double*)s.Pointer;
                var dst = (float*)t.RawPointer;
                for (long i = 0; i < t.Numel; i++) dst[i] = (float)src[i];
                return t;
            }
            default:
                throw ModelFormatException.Expected(s.FilePath, s.Name, "dtype F32, F16, BF16, I32, I64 or F64 to build a tensor", s.DTypeName);
        }
    }

    private static unsafe Tensor Copy(SafetensorsTensor s, DType dtype)
    {
        var t = Tensor.Empty(s.Shape, dtype);
        Buffer.MemoryCopy(s.Pointer, t.RawPointer, s.ByteSize, s.ByteSize);
        return t;
    }
}
