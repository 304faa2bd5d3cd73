// GgmlKQuant: dequantisation of ggml's K-quant super-blocks (256 values), the types most GGUF files on the
// Hub use (Q4_K_M = Q4_K with some Q6_K tensors, Q5_K_M = Q5_K with Q6_K). Checked bit for bit against ggml's
// own to_float (tests/oracles/ggml_kquant_fixtures.py); quantising to K types is not implemented.
//   Q4_K (144 B): fp16 d, fp16 dmin, 12 bytes of 6-bit (scale, min) pairs for 8 sub-blocks of 32, u8 qs[128].
//                 Sub-blocks 2i and 2i+1 share 32 bytes of qs: low nibbles are sub-block 2i, high 2i+1;
//                 x = d·scale·q − dmin·min.
//   Q5_K (176 B): as Q4_K plus qh[32]: bit (2i) of qh[l] is the fifth bit of sub-block 2i's value l, bit (2i+1)
//                 that of sub-block 2i+1.
//   Q6_K (210 B): ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16] (one per 16 values), fp16 d last;
//                 each half of 128 values takes 64 bytes of ql and 32 of qh; x = d·scale·(q − 32).
// The 6-bit (scale, min) of sub-block j < 4 are the low 6 bits of bytes j and j+4; for j ≥ 4 the low nibble
// (scale) or high nibble (min) of byte j+4 with the top two bits of byte j−4 (scale) or byte j (min) above it.
using System.Buffers.Binary;

namespace SharpLM.Models.Formats.Gguf;

internal static class GgmlKQuant
{
    public const int QK_K = 256;

    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> src, Span<float> y)
    {
        int size = type switch { GgmlType.Q4_K => 144, GgmlType.Q5_K => 176, GgmlType.Q6_K => 210, _ => throw new NotSupportedException($"GgmlKQuant: {type}") };
        for (int i = 0, o = 0; i < y.Length; i += QK_K, o += size)
        {
            var b = src.Slice(o, size);
            var out256 = y.Slice(i, QK_K);
            if (type == GgmlType.Q6_K) BlockQ6_K(b, out256);
            else BlockQ45_K(b, out256, fiveBit: type == GgmlType.Q5_K);
        }
    }

    private static float Fp16(ReadOnlySpan<byte> b) => (float)BinaryPrimitives.ReadHalfLittleEndian(b);

    /// <summary>The 6-bit scale and min of sub-block <paramref name="j"/> (0..7) from the 12 packed bytes.</summary>
    private static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> s, int j) => j < 4
        ? (s[j] & 63, s[j + 4] & 63)
        : ((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4));

    private static void BlockQ45_K(ReadOnlySpan<byte> b, Span<float> y, bool fiveBit)
    {
        float d = Fp16(b), dmin = Fp16(b[2..]);
        var scales = b.Slice(4, 12);
        var qh = fiveBit ? b.Slice(16, 32) : default;
        var qs = b[(fiveBit ? 48 : 16)..];
        for (int g = 0; g < 4; g++) // 64 values: sub-blocks 2g (low nibbles) and 2g+1 (high nibbles)
        {
            var (sc1, m1) = ScaleMin(scales, 2 * g);
            var (sc2, m2) = ScaleMin(scales, 2 * g + 1);
            float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
            var q = qs.Slice(32 * g, 32);
            for (int l = 0; l < 32; l++)
            {
                int lo = q[l] & 0xF, hi = q[l] >> 4;
                if (fiveBit)
                {
                    if ((qh[l] & (1 << (2 * g))) != 0) lo += 16;
                    if ((qh[l] & (2 << (2 * g))) != 0) hi += 16;
                }
                y[64 * g + l] = d1 * lo - min1;
                y[64 * g + 32 + l] = d2 * hi - min2;
            }
        }
    }

    private static void BlockQ6_K(ReadOnlySpan<byte> b, Span<float> y)
    {
        float d = Fp16(b[208..]);
        for (int half = 0; half < 2; half++)
        {
            var ql = b.Slice(64 * half, 64);
            var qh = b.Slice(128 + 32 * half, 32);
            var sc = b.Slice(192 + 8 * half, 8);
            var o = y.Slice(128 * half, 128);
            for (int l = 0; l < 32; l++)
            {
                int s = l / 16;
                int q1 = ((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                o[l] = d * (sbyte)sc[s] * q1;
                o[l + 32] = d * (sbyte)sc[s + 2] * q2;
                o[l + 64] = d * (sbyte)sc[s + 4] * q3;
                o[l + 96] = d * (sbyte)sc[s + 6] * q4;
            }
        }
    }
}
