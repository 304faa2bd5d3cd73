// DequantK: K-quant rows (Q4_K, Q5_K, Q6_K; 256-value super-blocks) → f32 with AVX-512, bit for bit equal to
// GgmlQuant (and so to ggml): the same products in the same order (d·scale in f32, then value·that − d_min·min,
// no fused multiply-add). The engine's K-quant GEMV dequantises a row into an L1-resident buffer and runs the
// F32 dot; prefill dequantises panels for SGEMM. Layouts: see SharpLM.Models' GgmlKQuant.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;

namespace SharpLM.Inference.Engine;

internal static unsafe class DequantK
{
    /// <summary>16 unsigned bytes → 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> U8ToF32(Vector128<byte> b) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(b));

    /// <summary>16 signed bytes → 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> S8ToF32(Vector128<sbyte> b) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(b));

    /// <summary>Q4_K / Q5_K row of <paramref name="n"/> values at <paramref name="p"/> → <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q45K(byte* p, float* y, int n, bool fiveBit)
    {
        int size = fiveBit ? 176 : 144;
        var mask = Vector256.Create((byte)0x0F);
        for (int sb = 0; sb < n / 256; sb++, p += size, y += 256)
        {
            float d = Fp16.ToFloat(*(ushort*)p), dmin = Fp16.ToFloat(*(ushort*)(p + 2));
            var scales = new ReadOnlySpan<byte>(p + 4, 12);
            byte* qh = p + 16, qs = p + (fiveBit ? 48 : 16);
            var high = fiveBit ? Vector256.Load(qh) : default;
            for (int g = 0; g < 4; g++)
            {
                var (sc1, m1) = GgmlKQuant.ScaleMin(scales, 2 * g);
                var (sc2, m2) = GgmlKQuant.ScaleMin(scales, 2 * g + 1);
                float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
                var nn = Vector256.Load(qs + 32 * g);
                var lo = nn & mask;
                var hi = Vector256.ShiftRightLogical(nn.AsUInt16(), 4).AsByte() & mask;
                if (fiveBit) // bit 2g of qh[l] → +16 on the low value, bit 2g+1 → +16 on the high value
                {
                    lo |= (Vector256.ShiftRightLogical(high.AsUInt16(), 2 * g).AsByte() & Vector256.Create((byte)1)) << 4;
                    hi |= (Vector256.ShiftRightLogical(high.AsUInt16(), 2 * g + 1).AsByte() & Vector256.Create((byte)1)) << 4;
                }
                float* o = y + 64 * g;
                Vector512<float> vd1 = Vector512.Create(d1), vm1 = Vector512.Create(min1), vd2 = Vector512.Create(d2), vm2 = Vector512.Create(min2);
                (U8ToF32(lo.GetLower()) * vd1 - vm1).Store(o);
                (U8ToF32(lo.GetUpper()) * vd1 - vm1).Store(o + 16);
                (U8ToF32(hi.GetLower()) * vd2 - vm2).Store(o + 32);
                (U8ToF32(hi.GetUpper()) * vd2 - vm2).Store(o + 48);
            }
        }
    }

    /// <summary>Q6_K row of <paramref name="n"/> values at <paramref name="p"/> → <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q6K(byte* p, float* y, int n)
    {
        var mask = Vector256.Create((byte)0x0F);
        var three = Vector256.Create((byte)3);
        var bias = Vector256.Create((byte)32);
        for (int sb = 0; sb < n / 256; sb++, p += 210, y += 256)
        {
            float d = Fp16.ToFloat(*(ushort*)(p + 208));
            for (int half = 0; half < 2; half++)
            {
                byte* ql = p + 64 * half, qh = p + 128 + 32 * half;
                sbyte* sc = (sbyte*)(p + 192 + 8 * half);
                float* o = y + 128 * half;
                var l0 = Vector256.Load(ql);          // values l (low nibble) and 64 + l (high nibble)
                var l1 = Vector256.Load(ql + 32);     // values 32 + l and 96 + l
                var h = Vector256.Load(qh);
                var h16 = h.AsUInt16();
                // q − 32 as signed bytes for the four runs of 32 values
                var q1 = ((l0 & mask) | ((h & three) << 4)) - bias;
                var q2 = ((l1 & mask) | ((Vector256.ShiftRightLogical(h16, 2).AsByte() & three) << 4)) - bias;
                var q3 = ((Vector256.ShiftRightLogical(l0.AsUInt16(), 4).AsByte() & mask) | ((Vector256.ShiftRightLogical(h16, 4).AsByte() & three) << 4)) - bias;
                var q4 = ((Vector256.ShiftRightLogical(l1.AsUInt16(), 4).AsByte() & mask) | ((Vector256.ShiftRightLogical(h16, 6).AsByte() & three) << 4)) - bias;
                Run(q1.AsSByte(), o, d, sc[0], sc[1]);
                Run(q2.AsSByte(), o + 32, d, sc[2], sc[3]);
                Run(q3.AsSByte(), o + 64, d, sc[4], sc[5]);
                Run(q4.AsSByte(), o + 96, d, sc[6], sc[7]);
            }
        }

        // 32 values: the first 16 use scale s0, the next 16 s1; x = (d·s)·(q − 32) as GgmlKQuant computes it.
        static void Run(Vector256<sbyte> q, float* o, float d, sbyte s0, sbyte s1)
        {
            (Vector512.Create(d * s0) * S8ToF32(q.GetLower())).Store(o);
            (Vector512.Create(d * s1) * S8ToF32(q.GetUpper())).Store(o + 16);
        }
    }
}
