// Fp16: IEEE half → float conversion without F16C (which .NET does not expose): the 15 magnitude bits are
// shifted into float position and scaled by 2^112, which is exact for normals, subnormals and zero;
// exponent 31 (inf/NaN) is patched. Scalar form for block scales, Vector512 form for F16 weight rows.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Inference.Engine;

internal static unsafe class Fp16
{
    private const float Pow2_112 = 5.192296858534828e33f; // 2^112 = 2^(127-15)

    /// <summary>Exact fp16 → f32 of the bits <paramref name="h"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort h)
    {
        uint m = h & 0x7fffu;
        float f = BitConverter.UInt32BitsToSingle(m << 13) * Pow2_112;
        uint bits = BitConverter.SingleToUInt32Bits(f);
        if (m >= 0x7c00u) bits = 0x7f800000u | ((m & 0x3ffu) << 13); // inf / NaN
        return BitConverter.UInt32BitsToSingle(bits | ((h & 0x8000u) << 16));
    }

    /// <summary>16 halves at <paramref name="p"/> → 16 floats (AVX-512F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(ushort* p)
    {
        var h = Avx512F.ConvertToVector512UInt32(Vector256.Load(p));          // zero-extend 16 × u16 → u32
        var m = h & Vector512.Create(0x7fffu);
        var f = (m << 13).AsSingle() * Vector512.Create(Pow2_112);
        var special = Vector512.GreaterThanOrEqual(m, Vector512.Create(0x7c00u));
        var bits = Vector512.ConditionalSelect(special, Vector512.Create(0x7f800000u) | ((m & Vector512.Create(0x3ffu)) << 13), f.AsUInt32());
        return (bits | ((h & Vector512.Create(0x8000u)) << 16)).AsSingle();
    }
}
