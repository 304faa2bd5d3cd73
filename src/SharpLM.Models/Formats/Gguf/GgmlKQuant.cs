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
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using TensorConvert = SharpLM.Tensors.Cpu.Convert;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>
/// The K-quant super-block layouts: <see cref="Unpack"/> gives a block's integer values and the f32 factors ggml
/// forms, so every reader (the f32 dequantisation here, the engine's int8 packing) shares one reading of the bits.
/// </summary>
public static class GgmlKQuant
{
    public const int QK_K = 256;

    /// <summary>Bytes of one super-block of <paramref name="type"/> (Q4_K, Q5_K or Q6_K).</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.Q4_K => 144, GgmlType.Q5_K => 176, GgmlType.Q6_K => 210,
        _ => throw new NotSupportedException($"GgmlKQuant: {type} is not Q4_K, Q5_K or Q6_K."),
    };

    /// <summary>Scales per super-block: 8 sub-blocks of 32 values (Q4_K, Q5_K) or 16 groups of 16 (Q6_K).</summary>
    public static int ScaleCount(GgmlType type) => type == GgmlType.Q6_K ? 16 : 8;

    /// <summary>
    /// Decodes one super-block into its 256 integer values <paramref name="q"/> — Q4_K 0..15, Q5_K 0..31, Q6_K q − 32 —
    /// and per scale group (<see cref="ScaleCount"/>) the factors ggml forms in f32, <paramref name="scale"/> = d·sc and
    /// (Q4_K/Q5_K) <paramref name="min"/> = d_min·m, so that x = scale·q − min (Q6_K: x = scale·q).
    /// </summary>
    public static void Unpack(GgmlType type, ReadOnlySpan<byte> block, Span<sbyte> q, Span<float> scale, Span<float> min)
    {
        if (type == GgmlType.Q6_K) UnpackQ6_K(block, q, scale);
        else UnpackQ45_K(block, q, scale, min, fiveBit: type == GgmlType.Q5_K);
    }

    internal static void Dequantize(GgmlType type, ReadOnlySpan<byte> src, Span<float> y)
    {
        int size = BlockBytes(type), group = QK_K / ScaleCount(type);
        Span<sbyte> q = stackalloc sbyte[QK_K];
        Span<float> scale = stackalloc float[16], min = stackalloc float[16];
        for (int i = 0, o = 0; i < y.Length; i += QK_K, o += size)
        {
            Unpack(type, src.Slice(o, size), q, scale, min);
            var out256 = y.Slice(i, QK_K);
            if (type == GgmlType.Q6_K) for (int j = 0; j < QK_K; j++) out256[j] = scale[j / group] * q[j];
            else for (int j = 0; j < QK_K; j++) out256[j] = scale[j / group] * q[j] - min[j / group];
        }
    }

    private static float Fp16(ReadOnlySpan<byte> b) => TensorConvert.HalfToFloat(BinaryPrimitives.ReadUInt16LittleEndian(b));

    /// <summary>The 6-bit scale and min of Q4_K/Q5_K sub-block <paramref name="j"/> (0..7) from the 12 packed bytes.</summary>
    public static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> s, int j) => j < 4
        ? (s[j] & 63, s[j + 4] & 63)
        : ((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4));

    private static void UnpackQ45_K(ReadOnlySpan<byte> b, Span<sbyte> q, Span<float> scale, Span<float> min, bool fiveBit)
    {
        float d = Fp16(b), dmin = Fp16(b[2..]);
        var scales = b.Slice(4, 12);
        var qh = fiveBit ? b.Slice(16, 32) : default;
        var qs = b[(fiveBit ? 48 : 16)..];
        for (int j = 0; j < 8; j++)
        {
            var (sc, m) = ScaleMin(scales, j);
            scale[j] = d * sc;
            min[j] = dmin * m;
        }
        for (int g = 0; g < 4; g++) // 64 values: sub-blocks 2g (low nibbles) and 2g+1 (high nibbles)
            for (int l = 0; l < 32; l++)
            {
                int lo = qs[32 * g + l] & 0xF, hi = qs[32 * g + l] >> 4;
                if (fiveBit)
                {
                    if ((qh[l] & (1 << (2 * g))) != 0) lo += 16;
                    if ((qh[l] & (2 << (2 * g))) != 0) hi += 16;
                }
                q[64 * g + l] = (sbyte)lo;
                q[64 * g + 32 + l] = (sbyte)hi;
            }
    }

    private static void UnpackQ6_K(ReadOnlySpan<byte> b, Span<sbyte> q, Span<float> scale)
    {
        float d = Fp16(b[208..]);
        for (int j = 0; j < 16; j++) scale[j] = d * (sbyte)b[192 + j]; // one scale per 16 values
        for (int half = 0; half < 2; half++)
        {
            var ql = b.Slice(64 * half, 64);
            var qh = b.Slice(128 + 32 * half, 32);
            var o = q.Slice(128 * half, 128);
            for (int l = 0; l < 32; l++)
            {
                o[l] = (sbyte)(((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
                o[l + 32] = (sbyte)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                o[l + 64] = (sbyte)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                o[l + 96] = (sbyte)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
    }
}
