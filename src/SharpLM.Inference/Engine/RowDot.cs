// RowDot: dot products of one stored weight row with an activation row, dequantising in registers.
//   F32 / F16 / BF16 rows × f32 activations: four Vector512 FMA chains (F16 via Fp16.LoadScaled16, BF16 by a
//   16-bit shift), or their AVX2+FMA twins on Vector256 where AVX-512 is absent (most client CPUs).
//   Q8_0 / Q4_0 rows × Q8_0-quantised activations: the scalar reference only — wherever AVX2 or AVX-512 is
//   present the engine packs these weights and runs QuantGemm's kernels instead.
//   K-quant rows: dequantised to f32 (Dequant.Row), then the F32 dot.
// Every vector kernel has a scalar twin (the fallback and the tests' second opinion). CI runs the engine tests
// a second time with DOTNET_EnableAVX512=0 so the AVX2 twins are checked on the AVX-512 CI machine.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

/// <summary>Which kernel family to run: the widest present (default), AVX2 (tests, on AVX-512 machines) or scalar.</summary>
internal enum KernelPath { Best, Avx2, Scalar }

internal static unsafe class RowDot
{
    /// <summary>The AVX-512 kernels run (CpuIsa, the one ISA dispatch, decides: SHARPLM_NO_AVX512 included).</summary>
    public static readonly bool Simd = CpuIsa.HasAvx512;

    /// <summary>The AVX2+FMA kernels can run (they are chosen when AVX-512 is absent, or asked for by tests).</summary>
    public static readonly bool CanAvx2 = CpuIsa.HasAvx2Fma;

    /// <summary>The AVX2+FMA kernels run by default (no AVX-512).</summary>
    public static readonly bool Avx2Fma = !Simd && CanAvx2;

    /// <summary>True when <paramref name="path"/> resolves to the AVX-512 kernels here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Use512(KernelPath path) => path == KernelPath.Best && Simd;

    /// <summary>True when <paramref name="path"/> resolves to the AVX2 kernels here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Use256(KernelPath path) => path != KernelPath.Scalar && CanAvx2 && !Use512(path);

    /// <summary>Which kernels run on this machine, for reports ("AVX-512", "AVX2", "scalar").</summary>
    public static string Level => Simd ? "AVX-512" : Avx2Fma ? "AVX2" : "scalar";

    // ---- F32 ----
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float F32(float* w, float* x, int n, KernelPath path = KernelPath.Best)
    {
        int i = 0;
        float s = 0;
        if (Use512(path))
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 64 <= n; i += 64)
            {
                a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), a0);
                a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 16), Vector512.Load(x + i + 16), a1);
                a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 32), Vector512.Load(x + i + 32), a2);
                a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 48), Vector512.Load(x + i + 48), a3);
            }
            for (; i + 16 <= n; i += 16) a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), a0);
            s = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Use256(path))
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                a0 = Fma.MultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
                a1 = Fma.MultiplyAdd(Vector256.Load(w + i + 8), Vector256.Load(x + i + 8), a1);
                a2 = Fma.MultiplyAdd(Vector256.Load(w + i + 16), Vector256.Load(x + i + 16), a2);
                a3 = Fma.MultiplyAdd(Vector256.Load(w + i + 24), Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8) a0 = Fma.MultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
            s = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) s += w[i] * x[i];
        return s;
    }

    // ---- F16 ----
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float F16(ushort* w, float* x, int n, KernelPath path = KernelPath.Best)
    {
        int i = 0;
        float s = 0;
        if (Use512(path))
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 64 <= n; i += 64)
            {
                a0 = Avx512F.FusedMultiplyAdd(Fp16.LoadScaled16(w + i), Vector512.Load(x + i), a0);
                a1 = Avx512F.FusedMultiplyAdd(Fp16.LoadScaled16(w + i + 16), Vector512.Load(x + i + 16), a1);
                a2 = Avx512F.FusedMultiplyAdd(Fp16.LoadScaled16(w + i + 32), Vector512.Load(x + i + 32), a2);
                a3 = Avx512F.FusedMultiplyAdd(Fp16.LoadScaled16(w + i + 48), Vector512.Load(x + i + 48), a3);
            }
            for (; i + 16 <= n; i += 16) a0 = Avx512F.FusedMultiplyAdd(Fp16.LoadScaled16(w + i), Vector512.Load(x + i), a0);
            s = Vector512.Sum((a0 + a1) + (a2 + a3)) * Fp16.Unscale;
        }
        else if (Use256(path))
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                a0 = Fma.MultiplyAdd(Fp16.LoadScaled8(w + i), Vector256.Load(x + i), a0);
                a1 = Fma.MultiplyAdd(Fp16.LoadScaled8(w + i + 8), Vector256.Load(x + i + 8), a1);
                a2 = Fma.MultiplyAdd(Fp16.LoadScaled8(w + i + 16), Vector256.Load(x + i + 16), a2);
                a3 = Fma.MultiplyAdd(Fp16.LoadScaled8(w + i + 24), Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8) a0 = Fma.MultiplyAdd(Fp16.LoadScaled8(w + i), Vector256.Load(x + i), a0);
            s = Vector256.Sum((a0 + a1) + (a2 + a3)) * Fp16.Unscale;
        }
        for (; i < n; i++) s += Fp16.ToFloat(w[i]) * x[i];
        return s;
    }

    // ---- BF16 ----
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> LoadBf16(ushort* p) => (Avx512F.ConvertToVector512UInt32(Vector256.Load(p)) << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> LoadBf16x8(ushort* p) => (Avx2.ConvertToVector256Int32(Vector128.Load(p)).AsUInt32() << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Bf16(ushort* w, float* x, int n, KernelPath path = KernelPath.Best)
    {
        int i = 0;
        float s = 0;
        if (Use512(path))
        {
            Vector512<float> a0 = default, a1 = default;
            for (; i + 32 <= n; i += 32)
            {
                a0 = Avx512F.FusedMultiplyAdd(LoadBf16(w + i), Vector512.Load(x + i), a0);
                a1 = Avx512F.FusedMultiplyAdd(LoadBf16(w + i + 16), Vector512.Load(x + i + 16), a1);
            }
            for (; i + 16 <= n; i += 16) a0 = Avx512F.FusedMultiplyAdd(LoadBf16(w + i), Vector512.Load(x + i), a0);
            s = Vector512.Sum(a0 + a1);
        }
        else if (Use256(path))
        {
            Vector256<float> a0 = default, a1 = default;
            for (; i + 16 <= n; i += 16)
            {
                a0 = Fma.MultiplyAdd(LoadBf16x8(w + i), Vector256.Load(x + i), a0);
                a1 = Fma.MultiplyAdd(LoadBf16x8(w + i + 8), Vector256.Load(x + i + 8), a1);
            }
            for (; i + 8 <= n; i += 8) a0 = Fma.MultiplyAdd(LoadBf16x8(w + i), Vector256.Load(x + i), a0);
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) s += BitConverter.UInt32BitsToSingle((uint)w[i] << 16) * x[i];
        return s;
    }

    // ---- Q8_0 / Q4_0 unpacked: the scalar reference (the engine packs these types for QuantGemm's kernels
    // wherever AVX2 or AVX-512 is present, so only CPUs without either, and the tests, run these) ----

    /// <summary>Q8_0 row (34-byte blocks: fp16 d, int8 q[32]) · quantised activations.</summary>
    public static float Q8_0(byte* w, QRow a, int blocks)
    {
        float s = 0;
        for (int b = 0; b < blocks; b++)
        {
            byte* p = w + b * 34;
            sbyte* q = (sbyte*)(p + 2), x = a.Qs + b * 32;
            int sum = 0;
            for (int j = 0; j < 32; j++) sum += q[j] * x[j];
            s += Fp16.ToFloat(*(ushort*)p) * a.D[b] * sum;
        }
        return s;
    }

    /// <summary>Q4_0 row (18-byte blocks: fp16 d, u8 qs[16]: low nibble = element j, high = element j+16; value q−8) · quantised activations.</summary>
    public static float Q4_0(byte* w, QRow a, int blocks)
    {
        float s = 0;
        for (int b = 0; b < blocks; b++)
        {
            byte* p = w + b * 18;
            sbyte* x = a.Qs + b * 32;
            int sum = 0;
            for (int j = 0; j < 16; j++) sum += ((p[2 + j] & 0xF) - 8) * x[j] + ((p[2 + j] >> 4) - 8) * x[j + 16];
            s += Fp16.ToFloat(*(ushort*)p) * a.D[b] * sum;
        }
        return s;
    }

    /// <summary>The 32 values q−8 of a Q4_0 block's 16 nibble bytes, in element order (low nibbles 0–15, high 16–31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Q4Block(byte* qs)
    {
        var nn = Vector128.Load(qs);
        var m = Vector128.Create((byte)0x0F);
        return (Vector256.Create(nn & m, Vector128.ShiftRightLogical(nn, 4) & m) - Vector256.Create((byte)8)).AsSByte();
    }

    [ThreadStatic] private static float[]? t_row;

    /// <summary>K-quant rows: each row dequantised to f32 (Dequant.Row), then the F32 dot with x.</summary>
    private static void DequantizedRows(in WeightMatrix m, int r0, int r1, float* x, float* y)
    {
        var row = t_row is { } b && b.Length >= m.Cols ? b : (t_row = new float[m.Cols]);
        fixed (float* w = row)
            for (int r = r0; r < r1; r++)
            {
                Dequant.Row(m, r, w);
                y[r] = F32(w, x, m.Cols);
            }
    }

    /// <summary>y[r] = W[r,:]·x for r in [r0, r1); <paramref name="q"/> is x quantised when W is Q8_0/Q4_0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(in WeightMatrix m, int r0, int r1, float* x, QRow q, float* y)
    {
        int n = m.Cols;
        switch (m.Type)
        {
            case SharpLM.Formats.Gguf.GgmlType.F32: for (int r = r0; r < r1; r++) y[r] = F32((float*)m.Row(r), x, n); break;
            case SharpLM.Formats.Gguf.GgmlType.F16: for (int r = r0; r < r1; r++) y[r] = F16((ushort*)m.Row(r), x, n); break;
            case SharpLM.Formats.Gguf.GgmlType.BF16: for (int r = r0; r < r1; r++) y[r] = Bf16((ushort*)m.Row(r), x, n); break;
            case SharpLM.Formats.Gguf.GgmlType.Q8_0: for (int r = r0; r < r1; r++) y[r] = Q8_0(m.Row(r), q, n / 32); break;
            case SharpLM.Formats.Gguf.GgmlType.Q4_0: for (int r = r0; r < r1; r++) y[r] = Q4_0(m.Row(r), q, n / 32); break;
            default: DequantizedRows(m, r0, r1, x, y); break;
        }
    }
}
