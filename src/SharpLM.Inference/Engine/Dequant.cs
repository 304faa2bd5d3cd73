// Dequant: stored weight rows → f32 (the prefill path dequantises row panels into a reused scratch before
// SGEMM; the embedding lookup dequantises one row). Vectorised with AVX-512 (or AVX2) for every engine type; values
// equal GgmlQuant.Dequantize exactly.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using System.Runtime.CompilerServices;

namespace SharpLM.Inference.Engine;

internal static unsafe class Dequant
{
    /// <summary>dst[0..cols) = row <paramref name="r"/> of <paramref name="m"/> as f32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(in WeightMatrix m, int r, float* dst, KernelPath path = KernelPath.Best)
    {
        byte* p = m.Row(r);
        int n = m.Cols, i = 0;
        bool simd = RowDot.Use512(path), avx2 = RowDot.Use256(path);
        switch (m.Type)
        {
            case GgmlType.F32:
                Buffer.MemoryCopy(p, dst, n * 4L, n * 4L);
                break;
            case GgmlType.F16:
                if (simd) for (; i + 16 <= n; i += 16) Fp16.Load16((ushort*)p + i).Store(dst + i);
                else if (avx2) for (; i + 8 <= n; i += 8) Fp16.Load8((ushort*)p + i).Store(dst + i);
                for (; i < n; i++) dst[i] = Fp16.ToFloat(((ushort*)p)[i]);
                break;
            case GgmlType.BF16:
                if (simd) for (; i + 16 <= n; i += 16) RowDot.LoadBf16((ushort*)p + i).Store(dst + i);
                else if (avx2) for (; i + 8 <= n; i += 8) RowDot.LoadBf16x8((ushort*)p + i).Store(dst + i);
                for (; i < n; i++) dst[i] = BitConverter.UInt32BitsToSingle((uint)((ushort*)p)[i] << 16);
                break;
            case GgmlType.Q8_0:
                for (int b = 0; b < n / 32; b++, p += 34, dst += 32)
                {
                    float d = Fp16.ToFloat(*(ushort*)p);
                    sbyte* q = (sbyte*)(p + 2);
                    if (simd)
                    {
                        var dv = Vector512.Create(d);
                        (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q))) * dv).Store(dst);
                        (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + 16))) * dv).Store(dst + 16);
                    }
                    else if (avx2) Store32(Vector256.Load(q), d, dst);
                    else for (int j = 0; j < 32; j++) dst[j] = q[j] * d;
                }
                break;
            case GgmlType.Q4_0:
                for (int b = 0; b < n / 32; b++, p += 18, dst += 32)
                {
                    float d = Fp16.ToFloat(*(ushort*)p);
                    byte* q = p + 2;
                    if (simd)
                    {
                        var dv = Vector512.Create(d);
                        var nn = Vector128.Load(q);
                        var lo = Avx512F.ConvertToVector512Int32(nn & Vector128.Create((byte)0x0F)) - Vector512.Create(8);
                        var hi = Avx512F.ConvertToVector512Int32(Vector128.ShiftRightLogical(nn, 4)) - Vector512.Create(8);
                        (Avx512F.ConvertToVector512Single(lo) * dv).Store(dst);
                        (Avx512F.ConvertToVector512Single(hi) * dv).Store(dst + 16);
                    }
                    else if (avx2) Store32(RowDot.Q4Block(q), d, dst);
                    else
                        for (int j = 0; j < 16; j++) { dst[j] = ((q[j] & 0xF) - 8) * d; dst[j + 16] = ((q[j] >> 4) - 8) * d; }
                }
                break;
            case GgmlType.Q4_K or GgmlType.Q5_K when simd: DequantK.Q45K(p, dst, n, fiveBit: m.Type == GgmlType.Q5_K); break;
            case GgmlType.Q6_K when simd: DequantK.Q6K(p, dst, n); break;
            default: // K-quants without AVX-512: ggml's reference dequantisation (GgmlKQuant, bit-exact with ggml)
                GgmlQuant.Dequantize(m.Type, new ReadOnlySpan<byte>(p, checked((int)m.RowBytes)), new Span<float>(dst, n));
                break;
        }
    }

    /// <summary>dst[0..32) = q·d (AVX2).</summary>
    private static void Store32(Vector256<sbyte> q, float d, float* dst)
    {
        var dv = Vector256.Create(d);
        var lo = q.GetLower(); var hi = q.GetUpper();
        (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(lo)) * dv).Store(dst);
        (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(lo, 8))) * dv).Store(dst + 8);
        (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(hi)) * dv).Store(dst + 16);
        (Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(hi, 8))) * dv).Store(dst + 24);
    }
}
