// Fp16: IEEE half → float conversion for the engine without F16C (which .NET does not expose). The scalar form
// is SharpLM.Tensors' Convert.HalfToFloat (15 magnitude bits shifted into float position, scaled by 2^112;
// exponent 31 patched to inf/NaN); here: a 65536-entry table of it for block scales (the scales of a model
// sit in a narrow exponent range, so the touched entries stay cached), and Vector512 forms: Load16 (exact)
// and LoadScaled16 for the F16 GEMV, with 8-wide AVX2 twins Load8/LoadScaled8 (3 ops: sign-extend, shift, mask — the value times 2^-112, which the
// kernel undoes once per row; assumes finite weights: an inf/NaN half reads as a large finite value).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TensorConvert = SharpLM.Tensors.Cpu.Convert;

namespace SharpLM.Inference.Engine;

internal static unsafe class Fp16
{
    private const float Pow2_112 = 5.192296858534828e33f; // 2^112 = 2^(127-15)

    /// <summary>Exact fp16 → f32 of the bits <paramref name="h"/> (SharpLM.Tensors' scalar conversion).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort h) => TensorConvert.HalfToFloat(h);

    /// <summary>fp16 bits → f32 for every bit pattern (256 KiB, 64-byte aligned).</summary>
    public static readonly float* Table = BuildTable();

    private static float* BuildTable()
    {
        var t = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(65536 * sizeof(float), 64);
        for (int i = 0; i < 65536; i++) t[i] = ToFloat((ushort)i);
        return t;
    }

    /// <summary>The multiplier that undoes <see cref="LoadScaled16"/>'s 2^-112.</summary>
    public const float Unscale = Pow2_112;

    /// <summary>16 finite halves at <paramref name="p"/> → their values times 2^-112 (exact; subnormal halves give f32 subnormals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadScaled16(ushort* p)
    {
        var h = Avx512F.ConvertToVector512Int32(Vector256.Load((short*)p));  // sign-extend: bits 31..16 = sign
        return ((h << 13) & Vector512.Create(unchecked((int)0x8FFFE000))).AsSingle();
    }

    /// <summary>The AVX2 form of <see cref="LoadScaled16"/>: 8 finite halves → their values times 2^-112.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadScaled8(ushort* p)
    {
        var h = Avx2.ConvertToVector256Int32(Vector128.Load((short*)p));
        return ((h << 13) & Vector256.Create(unchecked((int)0x8FFFE000))).AsSingle();
    }

    /// <summary>8 halves at <paramref name="p"/> → 8 floats (AVX2), exact like <see cref="Load16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ushort* p)
    {
        var h = Avx2.ConvertToVector256Int32(Vector128.Load(p)).AsUInt32();
        var m = h & Vector256.Create(0x7fffu);
        var f = (m << 13).AsSingle() * Vector256.Create(Pow2_112);
        var special = Vector256.GreaterThanOrEqual(m, Vector256.Create(0x7c00u));
        var bits = Vector256.ConditionalSelect(special, Vector256.Create(0x7f800000u) | ((m & Vector256.Create(0x3ffu)) << 13), f.AsUInt32());
        return (bits | ((h & Vector256.Create(0x8000u)) << 16)).AsSingle();
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
