// QuantGemmAvx2: the AVX2+FMA twins of QuantGemm's packed int8 kernels, for CPUs without AVX-512. Same packed
// layout and the same per-row arithmetic: a 64-byte step is two Vector256 halves (rows 0–7 and 8–15), each
// int32 lane one row; Q8_0 moves the weight's sign to x with vpsignb (Avx2.Sign), Q4_0 uses the nibbles as the
// unsigned side, accumulates eight steps in int16 and adds −8·Σq_x per block.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Inference.Engine;

internal static unsafe partial class QuantGemm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Values256<TKind>(Vector256<sbyte> stored, bool low) where TKind : struct, IWeightKind
    {
        if (typeof(TKind) == typeof(SignedWeights)) return stored;
        var nibbles = low ? stored.AsByte() : Vector256.ShiftRightLogical(stored.AsUInt16(), 4).AsByte();
        return (nibbles & Vector256.Create((byte)0x0F)).AsSByte();
    }

    /// <summary>One half-step: 8 rows × 4 values times one token's 4 values, added to the row lanes' accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step256<TKind>(Vector256<int> acc, Vector256<sbyte> w, sbyte* x4) where TKind : struct, IWeightKind
    {
        var xb = Vector256.Create(*(int*)x4).AsSByte();
        if (typeof(TKind) == typeof(NibbleWeights))
            return (acc.AsInt16() + Avx2.MultiplyAddAdjacent(w.AsByte(), xb)).AsInt32();
        var p = Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(xb, w));
        return acc + Avx2.MultiplyAddAdjacent(p, Vector256<short>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Finish256<TKind>(Vector256<int> acc, QRow x, int b) where TKind : struct, IWeightKind
        => typeof(TKind) == typeof(NibbleWeights)
            ? Avx2.MultiplyAddAdjacent(acc.AsInt16(), Vector256<short>.One) + Vector256.Create(x.Bias[b * 8])
            : acc;

    /// <summary>The integer dot products of one token with the 16 rows of one block, as two 8-row halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int> Lo, Vector256<int> Hi) Block256<TKind>(byte* pb, sbyte* q) where TKind : struct, IWeightKind
    {
        Vector256<int> lo = default, hi = default;
        for (int s = 0; s < StepsOf<TKind>(); s++)
        {
            var a = Vector256.Load((sbyte*)(pb + s * StepBytes));
            var b = Vector256.Load((sbyte*)(pb + s * StepBytes + 32));
            lo = Step256<TKind>(lo, Values256<TKind>(a, low: true), q + 4 * s);
            hi = Step256<TKind>(hi, Values256<TKind>(b, low: true), q + 4 * s);
            if (typeof(TKind) == typeof(NibbleWeights)) // the high nibbles: values 16 + 4s..
            {
                lo = Step256<TKind>(lo, Values256<TKind>(a, low: false), q + 16 + 4 * s);
                hi = Step256<TKind>(hi, Values256<TKind>(b, low: false), q + 16 + 4 * s);
            }
        }
        return (lo, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) Scale256<TKind>((Vector256<int> Lo, Vector256<int> Hi) dot, float* dw, QRow x, int b,
        Vector256<float> aLo, Vector256<float> aHi) where TKind : struct, IWeightKind
    {
        var d = Vector256.Create(x.D[b]);
        return (Fma.MultiplyAdd(Avx.ConvertToVector256Single(Finish256<TKind>(dot.Lo, x, b)), Vector256.Load(dw) * d, aLo),
                Fma.MultiplyAdd(Avx.ConvertToVector256Single(Finish256<TKind>(dot.Hi, x, b)), Vector256.Load(dw + 8) * d, aHi));
    }

    /// <summary>AVX2 twin of Tile1: one token × the panel's 16 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile1Avx2<TKind>(byte* panel, int blocks, QRow x, float* y, int rows) where TKind : struct, IWeightKind
    {
        int bb = BlockOf<TKind>();
        Vector256<float> lo = default, hi = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * bb;
            (lo, hi) = Scale256<TKind>(Block256<TKind>(pb, x.Qs + b * 32), (float*)(pb + bb - Lanes * sizeof(float)), x, b, lo, hi);
        }
        Store256(lo, hi, y, rows);
    }

    /// <summary>AVX2 twin of Tile4: four tokens × the panel's 16 rows (each weight step loaded once for the four).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4Avx2<TKind>(byte* panel, int blocks, QRow* x, float* y, int ldy, int rows) where TKind : struct, IWeightKind
    {
        int bb = BlockOf<TKind>();
        QRow x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        Vector256<float> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * bb;
            float* dw = (float*)(pb + bb - Lanes * sizeof(float));
            (l0, h0) = Scale256<TKind>(Block256<TKind>(pb, x0.Qs + b * 32), dw, x0, b, l0, h0);
            (l1, h1) = Scale256<TKind>(Block256<TKind>(pb, x1.Qs + b * 32), dw, x1, b, l1, h1);
            (l2, h2) = Scale256<TKind>(Block256<TKind>(pb, x2.Qs + b * 32), dw, x2, b, l2, h2);
            (l3, h3) = Scale256<TKind>(Block256<TKind>(pb, x3.Qs + b * 32), dw, x3, b, l3, h3);
        }
        Store256(l0, h0, y, rows); Store256(l1, h1, y + ldy, rows); Store256(l2, h2, y + 2L * ldy, rows); Store256(l3, h3, y + 3L * ldy, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(Vector256<float> lo, Vector256<float> hi, float* y, int rows)
    {
        if (rows == Lanes) { lo.Store(y); hi.Store(y + 8); return; }
        for (int r = 0; r < rows; r++) y[r] = r < 8 ? lo[r] : hi[r - 8];
    }
}
