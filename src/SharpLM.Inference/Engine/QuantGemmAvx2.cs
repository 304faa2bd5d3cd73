// QuantGemmAvx2: the AVX2+FMA twins of QuantGemm's packed int8 kernels, for CPUs without AVX-512. Same packed
// layout and the same per-row arithmetic for every kind (Q8_0, Q4_0, Q4_K, Q5_K, Q6_K): a 64-byte step is two
// Vector256 halves (rows 0–7 and 8–15), each int32 lane one row; signed weights move their sign to x with
// vpsignb (Avx2.Sign), nibbles are the unsigned side and accumulate in int16, Q4_K/Q5_K subtract their mins,
// Q6_K scales each half of a block separately.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Inference.Engine;

internal static unsafe partial class QuantGemm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Values256<TKind>(Vector256<sbyte> stored, bool low) where TKind : struct, IWeightKind
    {
        if (!Nibbles<TKind>()) return stored;
        var nibbles = low ? stored.AsByte() : Vector256.ShiftRightLogical(stored.AsUInt16(), 4).AsByte();
        return (nibbles & Vector256.Create((byte)0x0F)).AsSByte();
    }

    /// <summary>One half-step: 8 rows × 4 values times one token's 4 values, added to the row lanes' accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step256<TKind>(Vector256<int> acc, Vector256<sbyte> w, sbyte* x4) where TKind : struct, IWeightKind
    {
        var xb = Vector256.Create(*(int*)x4).AsSByte();
        if (Nibbles<TKind>())
            return (acc.AsInt16() + Avx2.MultiplyAddAdjacent(w.AsByte(), xb)).AsInt32();
        var p = Signed<TKind>() ? Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(xb, w)) : Avx2.MultiplyAddAdjacent(w.AsByte(), xb);
        return acc + Avx2.MultiplyAddAdjacent(p, Vector256<short>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Finish256<TKind>(Vector256<int> acc, QRow x, int b) where TKind : struct, IWeightKind
    {
        if (!Nibbles<TKind>()) return acc;
        var widened = Avx2.MultiplyAddAdjacent(acc.AsInt16(), Vector256<short>.One);
        return typeof(TKind) == typeof(NibbleWeights) ? widened + Vector256.Create(-8 * x.Sum[b]) : widened;
    }

    /// <summary>(aLo, aHi) += the 16 rows' integer dots (lo, hi) scaled by scale vector <paramref name="slot"/>·d_x, minus mins for Q4_K/Q5_K.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale256<TKind>(Vector256<int> lo, Vector256<int> hi, float* scales, int slot, QRow x, int b,
        ref Vector256<float> aLo, ref Vector256<float> aHi) where TKind : struct, IWeightKind
    {
        var d = Vector256.Create(x.D[b]);
        float* s = scales + slot * Lanes;
        aLo = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Finish256<TKind>(lo, x, b)), Vector256.Load(s) * d, aLo);
        aHi = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Finish256<TKind>(hi, x, b)), Vector256.Load(s + 8) * d, aHi);
        if (HasMins<TKind>())
        {
            var m = Vector256.Create(x.D[b] * -x.Sum[b]); // −d_x·Σq_x
            aLo = Fma.MultiplyAdd(Vector256.Load(scales + Lanes), m, aLo);
            aHi = Fma.MultiplyAdd(Vector256.Load(scales + Lanes + 8), m, aHi);
        }
    }

    /// <summary>One token × the 16 rows of one block, as two 8-row halves, accumulated into (aLo, aHi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block256<TKind>(byte* pb, QRow x, int b, ref Vector256<float> aLo, ref Vector256<float> aHi) where TKind : struct, IWeightKind
    {
        sbyte* q = x.Qs + b * 32;
        float* scales = (float*)(pb + StepsOf<TKind>() * StepBytes);
        Vector256<int> lo = default, hi = default;
        for (int s = 0; s < StepsOf<TKind>(); s++)
        {
            var a = Vector256.Load((sbyte*)(pb + s * StepBytes));
            var c = Vector256.Load((sbyte*)(pb + s * StepBytes + 32));
            lo = Step256<TKind>(lo, Values256<TKind>(a, low: true), q + 4 * s);
            hi = Step256<TKind>(hi, Values256<TKind>(c, low: true), q + 4 * s);
            if (Nibbles<TKind>()) // the high nibbles: values 16 + 4s..
            {
                lo = Step256<TKind>(lo, Values256<TKind>(a, low: false), q + 16 + 4 * s);
                hi = Step256<TKind>(hi, Values256<TKind>(c, low: false), q + 16 + 4 * s);
            }
            if (typeof(TKind) == typeof(K6Weights) && s == Steps / 2 - 1) // Q6_K: values 0–15 done, their own scale
            {
                Scale256<TKind>(lo, hi, scales, 0, x, b, ref aLo, ref aHi);
                lo = hi = default;
            }
        }
        Scale256<TKind>(lo, hi, scales, typeof(TKind) == typeof(K6Weights) ? 1 : 0, x, b, ref aLo, ref aHi);
    }

    /// <summary>AVX2 twin of Tile1: one token × the panel's 16 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile1Avx2<TKind>(byte* panel, int blocks, QRow x, float* y, int rows) where TKind : struct, IWeightKind
    {
        int bb = BlockOf<TKind>();
        Vector256<float> lo = default, hi = default;
        for (int b = 0; b < blocks; b++) Block256<TKind>(panel + (long)b * bb, x, b, ref lo, ref hi);
        Store256(lo, hi, y, rows);
    }

    /// <summary>AVX2 twin of Tile4: four tokens × the panel's 16 rows (the block's weights stay in L1 for the four).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4Avx2<TKind>(byte* panel, int blocks, QRow* x, float* y, int ldy, int rows) where TKind : struct, IWeightKind
    {
        int bb = BlockOf<TKind>();
        QRow x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        Vector256<float> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * bb;
            Block256<TKind>(pb, x0, b, ref l0, ref h0);
            Block256<TKind>(pb, x1, b, ref l1, ref h1);
            Block256<TKind>(pb, x2, b, ref l2, ref h2);
            Block256<TKind>(pb, x3, b, ref l3, ref h3);
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
