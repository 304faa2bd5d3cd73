// GgmlQuant: the exact GGUF block layouts and the reference (scalar) quantise/dequantise routines of ggml
// (ggml-quants.c: quantize_row_*_ref, dequantize_row_*), reproduced bit for bit in float32 arithmetic.
//   Q8_0 (34 B / 32 values): fp16 d, int8 qs[32];            d = amax/127, q = round(x/d), x = q*d
//   Q4_0 (18 B / 32 values): fp16 d, u8 qs[16];              d = max/-8 (max = signed value of largest |x|),
//                                                            q = min(15, trunc(x/d + 8.5)), x = (q-8)*d
//   Q4_1 (20 B / 32 values): fp16 d, fp16 m, u8 qs[16];      d = (max-min)/15, q = min(15, trunc((x-min)/d + 0.5)), x = q*d + m
//   Q5_0 (22 B / 32 values): fp16 d, u32 qh, u8 qs[16];      d = max/-16, q = min(31, trunc(x/d + 16.5)), x = (q-16)*d
//   Q5_1 (24 B / 32 values): fp16 d, fp16 m, u32 qh, qs[16]; d = (max-min)/31, q = trunc((x-min)/d + 0.5), x = q*d + m
// In every 4/5-bit type the low nibble of qs[j] holds element j and the high nibble element j+16; in the
// 5-bit types bit j of qh is the fifth bit of element j and bit j+16 that of element j+16.
// K-quants (Q4_K, Q5_K, Q6_K) are dequantised by GgmlKQuant.
// "x/d" is computed as x*(1/d) exactly like the reference, and round() is C roundf (half away from zero).
using System.Buffers.Binary;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using TensorConvert = SharpLM.Tensors.Cpu.Convert;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>Quantise f32 rows to ggml block types and back, matching ggml's reference C bit for bit.</summary>
public static class GgmlQuant
{
    private const int QK = 32;

    /// <summary>Encodes <paramref name="x"/> (length a multiple of the block size) as <paramref name="type"/> into <paramref name="dst"/>.</summary>
    public static void Quantize(GgmlType type, ReadOnlySpan<float> x, Span<byte> dst)
    {
        CheckSizes(type, x.Length, dst.Length, "Quantize");
        switch (type)
        {
            case GgmlType.F32:
                for (int i = 0; i < x.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(4 * i)..], x[i]);
                break;
            case GgmlType.F16:
                for (int i = 0; i < x.Length; i++) PutFp16(dst[(2 * i)..], x[i]);
                break;
            case GgmlType.BF16:
                for (int i = 0; i < x.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], TensorConvert.FloatToBf16(x[i]));
                break;
            case GgmlType.Q8_0: ForBlocks(x, dst, 34, QuantizeBlockQ8_0); break;
            case GgmlType.Q4_0: ForBlocks(x, dst, 18, QuantizeBlockQ4_0); break;
            case GgmlType.Q4_1: ForBlocks(x, dst, 20, QuantizeBlockQ4_1); break;
            case GgmlType.Q5_0: ForBlocks(x, dst, 22, QuantizeBlockQ5_0); break;
            case GgmlType.Q5_1: ForBlocks(x, dst, 24, QuantizeBlockQ5_1); break;
            default: throw new NotSupportedException($"Quantize: ggml type {type} is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1).");
        }
    }

    /// <summary>Decodes <paramref name="src"/> blocks of <paramref name="type"/> into f32 values <paramref name="y"/>.</summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> src, Span<float> y)
    {
        CheckSizes(type, y.Length, src.Length, "Dequantize");
        switch (type)
        {
            case GgmlType.F32:
                for (int i = 0; i < y.Length; i++) y[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case GgmlType.F16:
                for (int i = 0; i < y.Length; i++) y[i] = Fp16(src[(2 * i)..]);
                break;
            case GgmlType.BF16:
                for (int i = 0; i < y.Length; i++) y[i] = TensorConvert.Bf16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
                break;
            case GgmlType.Q8_0: ForBlocks(src, y, 34, DequantizeBlockQ8_0); break;
            case GgmlType.Q4_0: ForBlocks(src, y, 18, DequantizeBlockQ4_0); break;
            case GgmlType.Q4_1: ForBlocks(src, y, 20, DequantizeBlockQ4_1); break;
            case GgmlType.Q5_0: ForBlocks(src, y, 22, DequantizeBlockQ5_0); break;
            case GgmlType.Q5_1: ForBlocks(src, y, 24, DequantizeBlockQ5_1); break;
            case GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K: GgmlKQuant.Dequantize(type, src, y); break;
            default: throw new NotSupportedException($"Dequantize: ggml type {type} is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K).");
        }
    }

    private static void CheckSizes(GgmlType type, int values, int bytes, string op)
    {
        var (bs, ts) = GgmlTypes.TryGeometry(type) ?? throw new NotSupportedException($"{op}: unknown ggml type id {(uint)type}.");
        if (values % bs != 0) throw new ArgumentException($"{op}: {values} values is not a multiple of the {type} block size {bs}.");
        if ((long)values / bs * ts != bytes) throw new ArgumentException($"{op}: {values} values of {type} need {(long)values / bs * ts} bytes, the buffer has {bytes}.");
    }

    private delegate void BlockQ(ReadOnlySpan<float> x, Span<byte> b);
    private delegate void BlockD(ReadOnlySpan<byte> b, Span<float> y);

    private static void ForBlocks(ReadOnlySpan<float> x, Span<byte> dst, int typeSize, BlockQ f)
    {
        for (int i = 0, o = 0; i < x.Length; i += QK, o += typeSize) f(x.Slice(i, QK), dst.Slice(o, typeSize));
    }

    private static void ForBlocks(ReadOnlySpan<byte> src, Span<float> y, int typeSize, BlockD f)
    {
        for (int i = 0, o = 0; i < y.Length; i += QK, o += typeSize) f(src.Slice(o, typeSize), y.Slice(i, QK));
    }

    private static float RoundF(float v) => MathF.Round(v, MidpointRounding.AwayFromZero);
    private static float Fp16(ReadOnlySpan<byte> b) => TensorConvert.HalfToFloat(BinaryPrimitives.ReadUInt16LittleEndian(b));
    private static void PutFp16(Span<byte> b, float v) => BinaryPrimitives.WriteUInt16LittleEndian(b, TensorConvert.FloatToHalf(v));

    // Signed value of largest magnitude (first one wins on ties), as in the Q4_0/Q5_0 reference.
    private static float SignedAbsMax(ReadOnlySpan<float> x)
    {
        float amax = 0, max = 0;
        foreach (var v in x)
            if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
        return max;
    }

    private static (float Min, float Max) MinMax(ReadOnlySpan<float> x)
    {
        float min = float.MaxValue, max = -float.MaxValue;
        foreach (var v in x) { if (v < min) min = v; if (v > max) max = v; }
        return (min, max);
    }

    private static void QuantizeBlockQ8_0(ReadOnlySpan<float> x, Span<byte> b)
    {
        float amax = 0;
        foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        PutFp16(b, d);
        for (int j = 0; j < QK; j++) b[2 + j] = (byte)(sbyte)RoundF(x[j] * id);
    }

    private static void DequantizeBlockQ8_0(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b);
        for (int j = 0; j < QK; j++) y[j] = (sbyte)b[2 + j] * d;
    }

    private static void QuantizeBlockQ4_0(ReadOnlySpan<float> x, Span<byte> b)
    {
        float d = SignedAbsMax(x) / -8f;
        float id = d != 0 ? 1f / d : 0f;
        PutFp16(b, d);
        for (int j = 0; j < QK / 2; j++)
        {
            int q0 = Math.Min(15, (int)(x[j] * id + 8.5f));
            int q1 = Math.Min(15, (int)(x[j + QK / 2] * id + 8.5f));
            b[2 + j] = (byte)(q0 | (q1 << 4));
        }
    }

    private static void DequantizeBlockQ4_0(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b);
        for (int j = 0; j < QK / 2; j++)
        {
            y[j] = ((b[2 + j] & 0x0F) - 8) * d;
            y[j + QK / 2] = ((b[2 + j] >> 4) - 8) * d;
        }
    }

    private static void QuantizeBlockQ4_1(ReadOnlySpan<float> x, Span<byte> b)
    {
        var (min, max) = MinMax(x);
        float d = (max - min) / 15f;
        float id = d != 0 ? 1f / d : 0f;
        PutFp16(b, d);
        PutFp16(b[2..], min);
        for (int j = 0; j < QK / 2; j++)
        {
            int q0 = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
            int q1 = Math.Min(15, (int)((x[j + QK / 2] - min) * id + 0.5f));
            b[4 + j] = (byte)(q0 | (q1 << 4));
        }
    }

    private static void DequantizeBlockQ4_1(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b), m = Fp16(b[2..]);
        for (int j = 0; j < QK / 2; j++)
        {
            y[j] = (b[4 + j] & 0x0F) * d + m;
            y[j + QK / 2] = (b[4 + j] >> 4) * d + m;
        }
    }

    private static void QuantizeBlockQ5_0(ReadOnlySpan<float> x, Span<byte> b)
    {
        float d = SignedAbsMax(x) / -16f;
        float id = d != 0 ? 1f / d : 0f;
        PutFp16(b, d);
        uint qh = 0;
        for (int j = 0; j < QK / 2; j++)
        {
            int q0 = Math.Min(31, (int)(x[j] * id + 16.5f));
            int q1 = Math.Min(31, (int)(x[j + QK / 2] * id + 16.5f));
            b[6 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint)((q0 & 0x10) >> 4) << j;
            qh |= (uint)((q1 & 0x10) >> 4) << (j + QK / 2);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b[2..], qh);
    }

    private static void DequantizeBlockQ5_0(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b);
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(b[2..]);
        for (int j = 0; j < QK / 2; j++)
        {
            int h0 = (int)((qh >> j) << 4) & 0x10, h1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = (((b[6 + j] & 0x0F) | h0) - 16) * d;
            y[j + QK / 2] = (((b[6 + j] >> 4) | h1) - 16) * d;
        }
    }

    private static void QuantizeBlockQ5_1(ReadOnlySpan<float> x, Span<byte> b)
    {
        var (min, max) = MinMax(x);
        float d = (max - min) / 31f;
        float id = d != 0 ? 1f / d : 0f;
        PutFp16(b, d);
        PutFp16(b[2..], min);
        uint qh = 0;
        for (int j = 0; j < QK / 2; j++)
        {
            int q0 = (byte)(int)((x[j] - min) * id + 0.5f);
            int q1 = (byte)(int)((x[j + QK / 2] - min) * id + 0.5f);
            b[8 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= (uint)((q0 & 0x10) >> 4) << j;
            qh |= (uint)((q1 & 0x10) >> 4) << (j + QK / 2);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], qh);
    }

    private static void DequantizeBlockQ5_1(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b), m = Fp16(b[2..]);
        uint qh = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        for (int j = 0; j < QK / 2; j++)
        {
            int h0 = (int)((qh >> j) << 4) & 0x10, h1 = (int)(qh >> (j + 12)) & 0x10;
            y[j] = ((b[8 + j] & 0x0F) | h0) * d + m;
            y[j + QK / 2] = ((b[8 + j] >> 4) | h1) * d + m;
        }
    }
}
