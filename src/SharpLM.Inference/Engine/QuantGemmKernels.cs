// QuantGemmKernels: the AVX-512 micro-kernels on QuantGemm's packed rows — one token (Tile1) or four (Tile4)
// × 16 rows — generic over the weight kind so Q8_0, Q4_0, Q4_K, Q5_K and Q6_K share one loop: the kind decides
// how a step's bytes become values (signed bytes, nibbles), which side of vpmaddubsw is unsigned, whether steps
// accumulate in int16, and how a block is scaled (one scale, two half-block scales, or a scale and a min).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Inference.Engine;

internal static unsafe partial class QuantGemm
{
    /// <summary>Q8_0: signed weights (|w| times sign(w)·x). Q4_0: the nibbles 0..15 as the unsigned operand, −8·Σx per block.</summary>
    internal interface IWeightKind;
    internal struct SignedWeights : IWeightKind;
    internal struct NibbleWeights : IWeightKind;
    internal struct KNibbleWeights : IWeightKind; // Q4_K sub-blocks: nibbles like Q4_0, a per-block min instead of −8
    internal struct K6Weights : IWeightKind;      // Q6_K: signed values q − 32, a scale per 16 values (two per block)
    internal struct K5Weights : IWeightKind;      // Q5_K sub-blocks: unsigned 5-bit values as bytes, a scale and a min per block

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tiles<TKind>(Job* j, byte* panel, int r0, int rows, int blocks) where TKind : struct, IWeightKind
    {
        var x = j->X;
        float* y = j->Y + r0;
        int t = 0;
        if (Wide(j->Path))
        {
            for (; t + MR <= j->Tokens; t += MR) Tile4<TKind>(panel, blocks, x + t, y + (long)t * j->Ldy, j->Ldy, rows);
            for (; t < j->Tokens; t++) Tile1<TKind>(panel, blocks, x[t], y + (long)t * j->Ldy, rows);
        }
        else
        {
            for (; t + MR <= j->Tokens; t += MR) Tile4Avx2<TKind>(panel, blocks, x + t, y + (long)t * j->Ldy, j->Ldy, rows);
            for (; t < j->Tokens; t++) Tile1Avx2<TKind>(panel, blocks, x[t], y + (long)t * j->Ldy, rows);
        }
    }

    /// <summary>One step's products of 16 rows × 4 bytes with one token's 4 bytes (broadcast), as int16 pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Products<TKind>(Vector512<byte> unsignedW, Vector512<sbyte> w, sbyte* x4) where TKind : struct, IWeightKind
    {
        var xb = Vector512.Create(*(int*)x4).AsSByte();
        if (Signed<TKind>())
            xb = Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - xb, xb);
        return Avx512BW.MultiplyAddAdjacent(unsignedW, xb);
    }

    /// <summary>Adds one block's step products to the integer accumulator (Q4_0: int16 lanes; Q8_0: widened to int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Accumulate<TKind>(Vector512<int> acc, Vector512<short> products) where TKind : struct, IWeightKind
        => Nibbles<TKind>()
            ? (acc.AsInt16() + products).AsInt32()
            : acc + Avx512BW.MultiplyAddAdjacent(products, Vector512<short>.One);

    /// <summary>The block's integer dot products of the 16 rows, as int32 (Q4_0: widened, plus −8·Σq_x; Q4_K: widened).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Finish<TKind>(Vector512<int> acc, QRow x, int b) where TKind : struct, IWeightKind
    {
        if (!Nibbles<TKind>()) return acc;
        var widened = Avx512BW.MultiplyAddAdjacent(acc.AsInt16(), Vector512<short>.One);
        return typeof(TKind) == typeof(NibbleWeights) ? widened + Vector512.Create(-8 * x.Sum[b]) : widened;
    }

    /// <summary>
    /// acc += the block's contribution to the 16 outputs: (int dot)·d_w·d_x, and for Q4_K − d_min·m·d_x·Σq_x
    /// (Σq_x = −Bias/8, exact). The scales follow the block's quantised values in the panel (mins after them);
    /// Q6_K has two scale vectors, <paramref name="slot"/> 0 for values 0–15 of the block and 1 for 16–31.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scale<TKind>(Vector512<float> acc, Vector512<int> dot, QRow x, int b, byte* pb, int slot = 0) where TKind : struct, IWeightKind
    {
        float* dw = (float*)(pb + StepsOf<TKind>() * StepBytes) + slot * Lanes;
        acc = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(dot, x, b)), Vector512.Load(dw) * x.D[b], acc);
        if (HasMins<TKind>())
            acc = Avx512F.FusedMultiplyAdd(Vector512.Load(dw + Lanes), Vector512.Create(x.D[b] * -x.Sum[b]), acc);
        return acc;
    }

    /// <summary>Q8_0 and Q6_K: signed values (|w| times sign(w)·x), widened to int32 every step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Signed<TKind>() where TKind : struct, IWeightKind => typeof(TKind) == typeof(SignedWeights) || typeof(TKind) == typeof(K6Weights);

    /// <summary>Q4_0 and Q4_K: nibble weights, the unsigned operand, int16 accumulation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Nibbles<TKind>() where TKind : struct, IWeightKind => typeof(TKind) == typeof(NibbleWeights) || typeof(TKind) == typeof(KNibbleWeights);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int StepsOf<TKind>() where TKind : struct, IWeightKind => Nibbles<TKind>() ? Steps / 2 : Steps;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BlockOf<TKind>() where TKind : struct, IWeightKind
        => StepsOf<TKind>() * StepBytes + (HasMins<TKind>() || typeof(TKind) == typeof(K6Weights) ? 2 : 1) * Lanes * sizeof(float);

    /// <summary>Q4_K and Q5_K: x = scale·q − min per block, so the kernel adds − min·d_x·Σq_x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool HasMins<TKind>() where TKind : struct, IWeightKind => typeof(TKind) == typeof(KNibbleWeights) || typeof(TKind) == typeof(K5Weights);

    /// <summary>A step's 64 weight values: Q8_0 as stored; Q4_0 the low (or high) nibbles of the stored bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Values<TKind>(Vector512<sbyte> stored, bool low) where TKind : struct, IWeightKind
    {
        if (!Nibbles<TKind>()) return stored;
        var nibbles = low ? stored.AsByte() : Vector512.ShiftRightLogical(stored.AsUInt16(), 4).AsByte();
        return (nibbles & Vector512.Create((byte)0x0F)).AsSByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> UnsignedSide<TKind>(Vector512<sbyte> w) where TKind : struct, IWeightKind
        => Signed<TKind>() ? Vector512.Abs(w).AsByte() : w.AsByte();

    /// <summary>Four tokens × the panel's 16 rows over all blocks; y row i (stride ldy) receives token i's 16 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TKind>(byte* panel, int blocks, QRow* x, float* y, int ldy, int rows) where TKind : struct, IWeightKind
    {
        QRow x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        int bb = BlockOf<TKind>();
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * bb;
            sbyte* q0 = x0.Qs + b * 32, q1 = x1.Qs + b * 32, q2 = x2.Qs + b * 32, q3 = x3.Qs + b * 32;
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default;
            for (int s = 0; s < StepsOf<TKind>(); s++)
            {
                var stored = Vector512.Load((sbyte*)(pb + s * StepBytes));
                var w = Values<TKind>(stored, low: true);
                var uw = UnsignedSide<TKind>(w);
                i0 = Accumulate<TKind>(i0, Products<TKind>(uw, w, q0 + 4 * s));
                i1 = Accumulate<TKind>(i1, Products<TKind>(uw, w, q1 + 4 * s));
                i2 = Accumulate<TKind>(i2, Products<TKind>(uw, w, q2 + 4 * s));
                i3 = Accumulate<TKind>(i3, Products<TKind>(uw, w, q3 + 4 * s));
                if (Nibbles<TKind>()) // the high nibbles: values 16 + 4s..
                {
                    var hi = Values<TKind>(stored, low: false);
                    i0 = Accumulate<TKind>(i0, Products<TKind>(hi.AsByte(), hi, q0 + 16 + 4 * s));
                    i1 = Accumulate<TKind>(i1, Products<TKind>(hi.AsByte(), hi, q1 + 16 + 4 * s));
                    i2 = Accumulate<TKind>(i2, Products<TKind>(hi.AsByte(), hi, q2 + 16 + 4 * s));
                    i3 = Accumulate<TKind>(i3, Products<TKind>(hi.AsByte(), hi, q3 + 16 + 4 * s));
                }
                if (typeof(TKind) == typeof(K6Weights) && s == Steps / 2 - 1) // Q6_K: values 0–15 done, their own scale
                {
                    a0 = Scale<TKind>(a0, i0, x0, b, pb); a1 = Scale<TKind>(a1, i1, x1, b, pb);
                    a2 = Scale<TKind>(a2, i2, x2, b, pb); a3 = Scale<TKind>(a3, i3, x3, b, pb);
                    i0 = i1 = i2 = i3 = default;
                }
            }
            int slot = typeof(TKind) == typeof(K6Weights) ? 1 : 0;
            a0 = Scale<TKind>(a0, i0, x0, b, pb, slot);
            a1 = Scale<TKind>(a1, i1, x1, b, pb, slot);
            a2 = Scale<TKind>(a2, i2, x2, b, pb, slot);
            a3 = Scale<TKind>(a3, i3, x3, b, pb, slot);
        }
        Store(a0, y, rows); Store(a1, y + ldy, rows); Store(a2, y + 2L * ldy, rows); Store(a3, y + 3L * ldy, rows);
    }

    /// <summary>One token × the panel's 16 rows (the tokens left over by Tile4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile1<TKind>(byte* panel, int blocks, QRow x, float* y, int rows) where TKind : struct, IWeightKind
    {
        int bb = BlockOf<TKind>();
        var a = Vector512<float>.Zero;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * bb;
            sbyte* q = x.Qs + b * 32;
            Vector512<int> acc = default;
            for (int s = 0; s < StepsOf<TKind>(); s++)
            {
                var stored = Vector512.Load((sbyte*)(pb + s * StepBytes));
                var w = Values<TKind>(stored, low: true);
                acc = Accumulate<TKind>(acc, Products<TKind>(UnsignedSide<TKind>(w), w, q + 4 * s));
                if (Nibbles<TKind>())
                {
                    var hi = Values<TKind>(stored, low: false);
                    acc = Accumulate<TKind>(acc, Products<TKind>(hi.AsByte(), hi, q + 16 + 4 * s));
                }
                if (typeof(TKind) == typeof(K6Weights) && s == Steps / 2 - 1) { a = Scale<TKind>(a, acc, x, b, pb); acc = default; }
            }
            a = Scale<TKind>(a, acc, x, b, pb, typeof(TKind) == typeof(K6Weights) ? 1 : 0);
        }
        Store(a, y, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> a, float* y, int rows)
    {
        if (rows == Lanes) { a.Store(y); return; }
        for (int r = 0; r < rows; r++) y[r] = a[r];
    }
}
