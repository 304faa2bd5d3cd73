// QuantGemm: the GEMM for Q8_0/Q4_0 weights on int8 activations — Y[t, r] = Σ_b d_w[r,b]·d_x[t,b]·Σ_j q_w·q_x —
// for every multi-row matmul on quantised weights (prefill and batched decode). Why int8 and not dequantise +
// SGEMM: the GEMV kernels of decode already run on Q8_0-quantised activations (as llama.cpp does), and a
// sequence must give the same logits whether its rows run alone, in a long prefill pass or in a batch with
// other sequences — so every route for a quantised weight sees the same quantised activations.
//
// Layout (the idea of llama.cpp's repacked Q4_0_8x8 GEMM): each work item packs 16 weight rows so that the
// sixteen int32 lanes of a Vector512 are sixteen different ROWS. Per block of 32 values the panel holds 8
// steps of 64 bytes — step s = bytes 4s..4s+3 of every row, row l in lanes 4l..4l+3 — then the 16 rows' block
// scales. A step multiplies those 64 bytes with 4 bytes of one token broadcast to every lane, so each lane
// accumulates its own row's dot product: no horizontal sums, and the block's scale d_w·d_x is applied once
// per 16 outputs (cvt + mul + fma per token and block) instead of once per output.
//   u8·s8 products (vpmaddubsw) need one unsigned side:
//   - Q4_0: the nibbles q ∈ [0, 15] are the unsigned side and the −8 is added once per block as −8·Σq_x (the
//     activations' Bias). Pair sums are at most 2·15·127, so eight steps accumulate in int16 without overflow
//     and one vpmaddwd per block widens them: about 2.5 instructions per 64 products.
//   - Q8_0: |w| is the unsigned side and the sign moves to x (a blend with −x); int16 pairs reach 2·127·127,
//     so every step widens to int32: about 4.5 instructions per 64 products.
//   .NET 10 exposes no 512-bit VNNI (vpdpbusd) on this CPU class, hence vpmaddubsw + vpmaddwd.
// Without AVX-512 each (token, row) runs RowDot's AVX2 or scalar int8 dot on the same activations.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Inference.Engine;

internal static unsafe class QuantGemm
{
    private const int Lanes = 16;                 // rows per panel = int32 lanes of a Vector512
    private const int StepBytes = 64, Steps = 8;  // 8 steps × 4 bytes = one 32-value block per row
    private const int BlockBytes = Steps * StepBytes + Lanes * sizeof(float);
    private const int MR = 4, MaxBatchTokens = 1024;

    [ThreadStatic] private static byte* t_panel;
    [ThreadStatic] private static long t_panelBytes;

    private struct Job
    {
        public WeightMatrix M;
        public QRow* X; // the token rows of the quantised activations
        public int Tokens, Ldy;
        public float* Y;
    }

    /// <summary>True where the AVX-512 kernel runs; elsewhere each (token, row) runs RowDot's AVX2/scalar int8 dot.</summary>
    public static bool Supported => RowDot.Simd;

    /// <summary>Y[t, 0..m.Rows) (row stride <paramref name="ldy"/>) = X[t]·Wᵀ for the first <paramref name="tokens"/> quantised rows of <paramref name="x"/>.</summary>
    public static void Run(QuantizedActivations x, int tokens, in WeightMatrix m, float* y, int ldy)
    {
        if (!m.IsQuantized) throw new ArgumentException($"QuantGemm: {m.Type} weights are not block-quantised.");
        if (x.Cols != m.Cols) throw new ArgumentException($"QuantGemm: activations have {x.Cols} columns, the weights {m.Cols}.");
        if (tokens > x.Capacity) throw new ArgumentException($"QuantGemm: {tokens} tokens, but only {x.Capacity} quantised rows.");
        if (tokens > MaxBatchTokens) throw new ArgumentException($"QuantGemm: at most {MaxBatchTokens} tokens per call, got {tokens}.");
        QRow* rowsOfX = stackalloc QRow[tokens];
        for (int t = 0; t < tokens; t++) rowsOfX[t] = x.Row(t);
        var job = new Job { M = m, X = rowsOfX, Tokens = tokens, Y = y, Ldy = ldy };
        WorkerPool.Shared.For((m.Rows + Lanes - 1) / Lanes, &Item, &job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int item, void* ctx)
    {
        var j = (Job*)ctx;
        int r0 = item * Lanes, rows = Math.Min(Lanes, j->M.Rows - r0), blocks = j->M.Cols / 32;
        if (!Supported) // no AVX-512: the GEMV kernels row by row, on the same int8 activations
        {
            for (int i = 0; i < j->Tokens; i++) RowDot.Rows(j->M, r0, r0 + rows, null, j->X[i], j->Y + (long)i * j->Ldy);
            return;
        }
        byte* panel = Panel((long)blocks * BlockBytes);
        Pack(j->M, r0, rows, panel);
        if (j->M.Type == GgmlType.Q4_0) Tiles<NibbleWeights>(j, panel, r0, rows, blocks);
        else Tiles<SignedWeights>(j, panel, r0, rows, blocks);
    }

    private static byte* Panel(long bytes)
    {
        if (bytes > t_panelBytes)
        {
            if (t_panel != null) NativeMemory.AlignedFree(t_panel);
            t_panel = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            t_panelBytes = bytes;
        }
        return t_panel;
    }

    /// <summary>Packs rows [r0, r0 + rows) into the row-interleaved panel; missing rows are zero (weights and scales).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int blocks = m.Cols / 32;
        if (rows < Lanes) NativeMemory.Clear(panel, (nuint)((long)blocks * BlockBytes));
        byte* vals = stackalloc byte[32];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int b = 0; b < blocks; b++)
            {
                byte* dst = panel + (long)b * BlockBytes;
                float d;
                if (m.Type == GgmlType.Q8_0)
                {
                    byte* p = src + b * 34;
                    d = Fp16.Table[*(ushort*)p];
                    Vector256.Load(p + 2).Store(vals);
                }
                else
                {
                    byte* p = src + b * 18;
                    d = Fp16.Table[*(ushort*)p];
                    var nn = Vector128.Load(p + 2);
                    (nn & Vector128.Create((byte)0x0F)).Store(vals);          // elements 0..15: low nibbles (0..15, unsigned)
                    Vector128.ShiftRightLogical(nn, 4).Store(vals + 16);      // elements 16..31: high nibbles
                }
                for (int s = 0; s < Steps; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)vals)[s];
                ((float*)(dst + Steps * StepBytes))[l] = d;
            }
        }
    }

    /// <summary>Q8_0: signed weights (|w| times sign(w)·x). Q4_0: the nibbles 0..15 as the unsigned operand, −8·Σx per block.</summary>
    private interface IWeightKind;
    private struct SignedWeights : IWeightKind;
    private struct NibbleWeights : IWeightKind;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tiles<TKind>(Job* j, byte* panel, int r0, int rows, int blocks) where TKind : struct, IWeightKind
    {
        var x = j->X;
        float* y = j->Y + r0;
        int t = 0;
        for (; t + MR <= j->Tokens; t += MR) Tile4<TKind>(panel, blocks, x + t, y + (long)t * j->Ldy, j->Ldy, rows);
        for (; t < j->Tokens; t++) Tile1<TKind>(panel, blocks, x[t], y + (long)t * j->Ldy, rows);
    }

    /// <summary>One step's products of 16 rows × 4 bytes with one token's 4 bytes (broadcast), as int16 pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Products<TKind>(Vector512<byte> unsignedW, Vector512<sbyte> w, sbyte* x4) where TKind : struct, IWeightKind
    {
        var xb = Vector512.Create(*(int*)x4).AsSByte();
        if (typeof(TKind) == typeof(SignedWeights))
            xb = Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - xb, xb);
        return Avx512BW.MultiplyAddAdjacent(unsignedW, xb);
    }

    /// <summary>Adds one block's step products to the integer accumulator (Q4_0: int16 lanes; Q8_0: widened to int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Accumulate<TKind>(Vector512<int> acc, Vector512<short> products) where TKind : struct, IWeightKind
        => typeof(TKind) == typeof(NibbleWeights)
            ? (acc.AsInt16() + products).AsInt32()
            : acc + Avx512BW.MultiplyAddAdjacent(products, Vector512<short>.One);

    /// <summary>The block's integer dot products of the 16 rows, as int32 (Q4_0: widened, plus −8·Σq_x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Finish<TKind>(Vector512<int> acc, QRow x, int b) where TKind : struct, IWeightKind
        => typeof(TKind) == typeof(NibbleWeights)
            ? Avx512BW.MultiplyAddAdjacent(acc.AsInt16(), Vector512<short>.One) + Vector512.Create(x.Bias[b * 8])
            : acc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> UnsignedSide<TKind>(Vector512<sbyte> w) where TKind : struct, IWeightKind
        => typeof(TKind) == typeof(NibbleWeights) ? w.AsByte() : Vector512.Abs(w).AsByte();

    /// <summary>Four tokens × the panel's 16 rows over all blocks; y row i (stride ldy) receives token i's 16 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TKind>(byte* panel, int blocks, QRow* x, float* y, int ldy, int rows) where TKind : struct, IWeightKind
    {
        QRow x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * BlockBytes;
            sbyte* q0 = x0.Qs + b * 32, q1 = x1.Qs + b * 32, q2 = x2.Qs + b * 32, q3 = x3.Qs + b * 32;
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default;
            for (int s = 0; s < Steps; s++)
            {
                var w = Vector512.Load((sbyte*)(pb + s * StepBytes));
                var uw = UnsignedSide<TKind>(w);
                i0 = Accumulate<TKind>(i0, Products<TKind>(uw, w, q0 + 4 * s));
                i1 = Accumulate<TKind>(i1, Products<TKind>(uw, w, q1 + 4 * s));
                i2 = Accumulate<TKind>(i2, Products<TKind>(uw, w, q2 + 4 * s));
                i3 = Accumulate<TKind>(i3, Products<TKind>(uw, w, q3 + 4 * s));
            }
            var dw = Vector512.Load((float*)(pb + Steps * StepBytes));
            a0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(i0, x0, b)), dw * x0.D[b], a0);
            a1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(i1, x1, b)), dw * x1.D[b], a1);
            a2 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(i2, x2, b)), dw * x2.D[b], a2);
            a3 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(i3, x3, b)), dw * x3.D[b], a3);
        }
        Store(a0, y, rows); Store(a1, y + ldy, rows); Store(a2, y + 2L * ldy, rows); Store(a3, y + 3L * ldy, rows);
    }

    /// <summary>One token × the panel's 16 rows (the tokens left over by Tile4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1<TKind>(byte* panel, int blocks, QRow x, float* y, int rows) where TKind : struct, IWeightKind
    {
        var a = Vector512<float>.Zero;
        for (int b = 0; b < blocks; b++)
        {
            byte* pb = panel + (long)b * BlockBytes;
            Vector512<int> acc = default;
            for (int s = 0; s < Steps; s++)
            {
                var w = Vector512.Load((sbyte*)(pb + s * StepBytes));
                acc = Accumulate<TKind>(acc, Products<TKind>(UnsignedSide<TKind>(w), w, x.Qs + b * 32 + 4 * s));
            }
            a = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Finish<TKind>(acc, x, b)), Vector512.Load((float*)(pb + Steps * StepBytes)) * x.D[b], a);
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
