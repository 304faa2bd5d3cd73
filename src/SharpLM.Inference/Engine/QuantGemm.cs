// QuantGemm: the GEMM for Q8_0/Q4_0 weights on int8 activations — Y[t, r] = Σ_b d_w[r,b]·d_x[t,b]·Σ_j q_w·q_x —
// for every multi-row matmul on quantised weights (prefill and batched decode). Why int8 and not dequantise +
// SGEMM: the GEMV kernels of decode already run on Q8_0-quantised activations (as llama.cpp does), and a
// sequence must give the same logits whether its rows run alone, in a long prefill pass or in a batch with
// other sequences — so every route for a quantised weight sees the same quantised activations.
//
// Layout (the idea of llama.cpp's repacked Q4_0_8x8 GEMM): 16 weight rows are packed so that the sixteen int32
// lanes of a Vector512 are sixteen different ROWS. A step multiplies 64 bytes — 4 values of each of the 16
// rows, row l in lanes 4l..4l+3 — with 4 values of one token broadcast to every lane, so each lane accumulates
// its own row's dot product: no horizontal sums, and the block's scale d_w·d_x is applied once per 16 outputs
// (cvt + mul + fma per token and block) instead of once per output. Per block of 32 values a group holds:
//   Q8_0: 8 steps × 64 bytes (step s = values 4s..4s+3), then the 16 rows' scales as f32 (576 bytes);
//   Q4_0: 4 × 64 bytes of the stored nibble bytes 4s..4s+3 — low nibbles are step s (values 4s..), high
//         nibbles step s+4 (values 16+4s..), exactly as Q4_0 stores them — then the scales (320 bytes).
//   Q4_K: each 32-value sub-block is packed like a Q4_0 block (nibbles 0..15) with its scale d·sc and, after
//         the scales, its min d_min·m; the kernel adds − d_min·m·d_x·Σq_x per block.
//   Q6_K: 32 values as signed bytes q − 32 in Q8_0's step layout with two scales (16 values each); the kernel
//         scales the first four steps and the last four separately.
//   Q5_K: 32 values as unsigned bytes 0..31 in Q8_0's step layout with a scale and a min, like Q4_K.
// The engine packs every quantised matrix once at load (PackAll, about the size of the stored weights, as
// llama.cpp repacks Q4_0 for its CPU kernels); other callers get a per-call panel.
//   u8·s8 products (vpmaddubsw) need one unsigned side:
//   - Q4_0: the nibbles q ∈ [0, 15] are the unsigned side and the −8 is added once per block as −8·Σq_x (the
//     activations' Sum). Pair sums are at most 2·15·127, so eight steps accumulate in int16 without overflow
//     and one vpmaddwd per block widens them: about 2.5 instructions per 64 products.
//   - Q8_0: |w| is the unsigned side and the sign moves to x (a blend with −x); int16 pairs reach 2·127·127,
//     so every step widens to int32: about 4.5 instructions per 64 products.
//   .NET 10 exposes no 512-bit VNNI (vpdpbusd) on this CPU class, hence vpmaddubsw + vpmaddwd.
// Files: QuantGemm.cs (entry points, sizes), QuantGemmPack.cs (packing), QuantGemmKernels.cs (AVX-512 tiles),
// QuantGemmAvx2.cs (the AVX2 twins).
// Without AVX-512 the same layout runs on Vector256 (QuantGemmAvx2.cs: a 64-byte step is two halves of 8 rows);
// without AVX2 each (token, row) runs RowDot's scalar int8 dot on the same activations.
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
    /// <summary>Rows per packed group = int32 lanes of a Vector512.</summary>
    public const int Lanes = 16;
    internal const int StepBytes = 64, Steps = 8;  // 8 steps × 4 values = one 32-value block per row
    private const int MR = 4, MaxBatchTokens = 1024;

    /// <summary>Bytes of one 32-value block of a packed 16-row group: quantised values, 16 f32 scales, and for Q4_K 16 f32 mins.</summary>
    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.Q4_0 => Steps / 2 * StepBytes + Lanes * sizeof(float),
        GgmlType.Q4_K => Steps / 2 * StepBytes + 2 * Lanes * sizeof(float),
        GgmlType.Q6_K or GgmlType.Q5_K => Steps * StepBytes + 2 * Lanes * sizeof(float),
        _ => Steps * StepBytes + Lanes * sizeof(float),
    };

    /// <summary>Bytes of one packed 16-row group of <paramref name="m"/>.</summary>
    public static long GroupBytes(in WeightMatrix m) => (long)(m.Cols / 32) * BlockBytes(m.Type);

    /// <summary>Whether the engine packs <paramref name="type"/> for these kernels here (AVX2 or AVX-512).</summary>
    public static bool CanPack(GgmlType type) => Supported && (type is GgmlType.Q8_0 or GgmlType.Q4_0 || WeightMatrix.IsKQuant(type));

    /// <summary>Bytes of <paramref name="m"/> packed (all groups; the last group is zero-padded to 16 rows).</summary>
    public static long PackedBytes(in WeightMatrix m) => (m.Rows + Lanes - 1) / Lanes * GroupBytes(m);

    [ThreadStatic] private static byte* t_panel;
    [ThreadStatic] private static long t_panelBytes;

    private struct Job
    {
        public WeightMatrix M;
        public QRow* X; // the token rows of the quantised activations
        public int Tokens, Ldy;
        public KernelPath Path;
        public float* Y;
    }

    /// <summary>True where the packed kernels run (AVX-512, or their AVX2 twins); elsewhere each (token, row) runs RowDot's scalar int8 dot.</summary>
    public static bool Supported => RowDot.Simd || RowDot.CanAvx2;

    /// <summary>The AVX-512 kernels for <paramref name="path"/> (else the AVX2 twins in QuantGemmAvx2.cs).</summary>
    private static bool Wide(KernelPath path) => RowDot.Use512(path);

    /// <summary>Y[t, 0..m.Rows) (row stride <paramref name="ldy"/>) = X[t]·Wᵀ for the first <paramref name="tokens"/> quantised rows of <paramref name="x"/>.</summary>
    public static void Run(QuantizedActivations x, int tokens, in WeightMatrix m, float* y, int ldy, KernelPath path = KernelPath.Best)
    {
        if (!m.UsesInt8) throw new ArgumentException($"QuantGemm: {m.Type} weights are not block-quantised (or, for Q4_K, not packed).");
        if (x.Cols != m.Cols) throw new ArgumentException($"QuantGemm: activations have {x.Cols} columns, the weights {m.Cols}.");
        if (tokens > x.Capacity) throw new ArgumentException($"QuantGemm: {tokens} tokens, but only {x.Capacity} quantised rows.");
        if (tokens > MaxBatchTokens) throw new ArgumentException($"QuantGemm: at most {MaxBatchTokens} tokens per call, got {tokens}.");
        QRow* rowsOfX = stackalloc QRow[tokens];
        for (int t = 0; t < tokens; t++) rowsOfX[t] = x.Row(t);
        var job = new Job { M = m, X = rowsOfX, Tokens = tokens, Y = y, Ldy = ldy, Path = path };
        WorkerPool.Shared.For((m.Rows + Lanes - 1) / Lanes, &Item, &job);
    }

    /// <summary>
    /// y[r] = W[r]·x for r in [r0, r1) of one token from the packed rows (<paramref name="r0"/> a multiple of 16):
    /// the decode GEMV on the same kernel as the GEMM, so one row and a batch of rows give identical values.
    /// </summary>
    public static void PackedRows(in WeightMatrix m, int r0, int r1, QRow x, float* y, KernelPath path = KernelPath.Best)
    {
        bool wide = Wide(path);
        long gb = GroupBytes(m);
        int blocks = m.Cols / 32;
        for (int g0 = r0; g0 < r1; g0 += Lanes)
        {
            byte* panel = m.Packed + g0 / Lanes * gb;
            int rows = Math.Min(Lanes, r1 - g0);
            switch (m.Type)
            {
                case GgmlType.Q4_K: Row<KNibbleWeights>(wide, panel, blocks, x, y + g0, rows); break;
                case GgmlType.Q5_K: Row<K5Weights>(wide, panel, blocks, x, y + g0, rows); break;
                case GgmlType.Q6_K: Row<K6Weights>(wide, panel, blocks, x, y + g0, rows); break;
                case GgmlType.Q4_0: Row<NibbleWeights>(wide, panel, blocks, x, y + g0, rows); break;
                default: Row<SignedWeights>(wide, panel, blocks, x, y + g0, rows); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TKind>(bool wide, byte* panel, int blocks, QRow x, float* y, int rows) where TKind : struct, IWeightKind
    {
        if (wide) Tile1<TKind>(panel, blocks, x, y, rows);
        else Tile1Avx2<TKind>(panel, blocks, x, y, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int item, void* ctx)
    {
        var j = (Job*)ctx;
        int r0 = item * Lanes, rows = Math.Min(Lanes, j->M.Rows - r0), blocks = j->M.Cols / 32;
        if (!Supported || j->Path == KernelPath.Scalar) // no AVX2: the GEMV kernels row by row, on the same int8 activations
        {
            for (int i = 0; i < j->Tokens; i++) RowDot.Rows(j->M, r0, r0 + rows, null, j->X[i], j->Y + (long)i * j->Ldy);
            return;
        }
        byte* panel;
        if (j->M.Packed != null) panel = j->M.Packed + item * GroupBytes(j->M);
        else Pack(j->M, r0, rows, panel = Panel(GroupBytes(j->M)));
        if (j->M.Type == GgmlType.Q4_K) Tiles<KNibbleWeights>(j, panel, r0, rows, blocks);
        else if (j->M.Type == GgmlType.Q6_K) Tiles<K6Weights>(j, panel, r0, rows, blocks);
        else if (j->M.Type == GgmlType.Q5_K) Tiles<K5Weights>(j, panel, r0, rows, blocks);
        else if (j->M.Type == GgmlType.Q4_0) Tiles<NibbleWeights>(j, panel, r0, rows, blocks);
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
}
