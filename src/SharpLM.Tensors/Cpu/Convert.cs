// Convert: dtype conversion kernels over dense buffers, and the one scalar fp16/bf16 ↔ f32 conversion every
// layer uses (GGUF block scales, the inference engine). BF16 uses round-to-nearest-even on the dropped 16 bits
// (NaN stays a quiet NaN), as PyTorch and llama.cpp do; F16 is IEEE (round-to-nearest-even, exact widening,
// inf/NaN kept).
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace SharpLM.Tensors.Cpu;

/// <summary>Scalar half/bfloat16 conversions (public) and the buffer conversion kernel (internal).</summary>
public static unsafe class Convert
{
    private const float Pow2_112 = 5.192296858534828e33f; // 2^112 = 2^(127-15)

    /// <summary>Exact fp16 → f32 of the bits <paramref name="h"/>: the 15 magnitude bits shifted into float position
    /// and scaled by 2^112 (exact for normals, subnormals and zero); exponent 31 becomes inf/NaN with its payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfToFloat(ushort h)
    {
        uint m = h & 0x7fffu;
        float f = BitConverter.UInt32BitsToSingle(m << 13) * Pow2_112;
        uint bits = BitConverter.SingleToUInt32Bits(f);
        if (m >= 0x7c00u) bits = 0x7f800000u | ((m & 0x3ffu) << 13); // inf / NaN
        return BitConverter.UInt32BitsToSingle(bits | ((h & 0x8000u) << 16));
    }

    /// <summary>f32 → fp16 bits, IEEE round-to-nearest-even (overflow → inf, NaN stays NaN).</summary>
    public static ushort FloatToHalf(float f) => BitConverter.HalfToUInt16Bits((Half)f);

    /// <summary>f32 → bf16 bits with round-to-nearest-even.</summary>
    public static ushort FloatToBf16(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) return (ushort)((u >> 16) | 0x40); // NaN: keep it quiet
        uint rounding = 0x7FFF + ((u >> 16) & 1);
        return (ushort)((u + rounding) >> 16);
    }

    /// <summary>bf16 bits → f32 (exact).</summary>
    public static float Bf16ToFloat(ushort b) => BitConverter.UInt32BitsToSingle((uint)b << 16);

    /// <summary>Converts <paramref name="n"/> dense elements from one dtype to another.</summary>
    internal static void Run(void* src, DType from, void* dst, DType to, long n)
    {
        int len = checked((int)n);
        if (from == to) { Buffer.MemoryCopy(src, dst, n * from.SizeOf(), n * from.SizeOf()); return; }
        if (from == DType.F32)
        {
            var s = new ReadOnlySpan<float>(src, len);
            switch (to)
            {
                case DType.F16: TensorPrimitives.ConvertToHalf(s, new Span<Half>(dst, len)); return;
                case DType.BF16: { ushort* d = (ushort*)dst; for (int i = 0; i < len; i++) d[i] = FloatToBf16(s[i]); return; }
                case DType.I32: { int* d = (int*)dst; for (int i = 0; i < len; i++) d[i] = (int)s[i]; return; }
            }
        }
        else if (to == DType.F32)
        {
            var d = new Span<float>(dst, len);
            switch (from)
            {
                case DType.F16: TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(src, len), d); return;
                case DType.BF16: { ushort* s = (ushort*)src; for (int i = 0; i < len; i++) d[i] = Bf16ToFloat(s[i]); return; }
                case DType.I32: { int* s = (int*)src; for (int i = 0; i < len; i++) d[i] = s[i]; return; }
            }
        }
        // Any other pair goes through f32 in blocks.
        const int block = 4096;
        float* tmp = stackalloc float[block];
        for (long i = 0; i < n; i += block)
        {
            long m = Math.Min(block, n - i);
            Run((byte*)src + i * from.SizeOf(), from, tmp, DType.F32, m);
            Run(tmp, DType.F32, (byte*)dst + i * to.SizeOf(), to, m);
        }
    }
}
