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
//     activations' Bias). Pair sums are at most 2·15·127, so eight steps accumulate in int16 without overflow
//     and one vpmaddwd per block widens them: about 2.5 instructions per 64 products.
//   - Q8_0: |w| is the unsigned side and the sign moves to x (a blend with −x); int16 pairs reach 2·127·127,
//     so every step widens to int32: about 4.5 instructions per 64 products.
//   .NET 10 exposes no 512-bit VNNI (vpdpbusd) on this CPU class, hence vpmaddubsw + vpmaddwd.
// Without AVX-512 the same layout runs on Vector256 (QuantGemmAvx2.cs: a 64-byte step is two halves of 8 rows);
// without AVX2 each (token, row) runs RowDot's scalar int8 dot on the same activations.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    public static bool CanPack(GgmlType type) => Supported && (type is GgmlType.Q8_0 or GgmlType.Q4_0 || type is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K);

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

    /// <summary>Packs rows [r0, r0 + rows) as one 16-row group; missing rows are zero (weights and scales).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Pack(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int blocks = m.Cols / 32, bb = BlockBytes(m.Type);
        if (rows < Lanes) NativeMemory.Clear(panel, (nuint)((long)blocks * bb));
        if (m.Type == GgmlType.Q4_K) { PackQ4K(m, r0, rows, panel); return; }
        if (m.Type == GgmlType.Q6_K) { PackQ6K(m, r0, rows, panel); return; }
        if (m.Type == GgmlType.Q5_K) { PackQ5K(m, r0, rows, panel); return; }
        bool q4 = m.Type == GgmlType.Q4_0;
        int quantBytes = bb - Lanes * sizeof(float);
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int b = 0; b < blocks; b++)
            {
                byte* dst = panel + (long)b * bb;
                byte* p = src + b * (q4 ? 18 : 34);
                uint* vals = (uint*)(p + 2);                                   // 4 stored bytes per step (pair)
                for (int s = 0; s < quantBytes / StepBytes; s++) ((uint*)(dst + s * StepBytes))[l] = vals[s];
                ((float*)(dst + quantBytes))[l] = Fp16.Table[*(ushort*)p];
            }
        }
    }

    /// <summary>
    /// Q4_K: each 32-value sub-block becomes one packed block in Q4_0's nibble order (byte k: value k low, k + 16
    /// high) with scale d·sc and min d_min·m — the same f32 products GgmlKQuant forms — so x = scale·q − min.
    /// </summary>
    private static void PackQ4K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q4_K), quantBytes = Steps / 2 * StepBytes;
        byte* q16 = stackalloc byte[16];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 144;
                float d = Fp16.Table[*(ushort*)p], dmin = Fp16.Table[*(ushort*)(p + 2)];
                for (int j = 0; j < 8; j++) // sub-block j: nibbles of qs[32·(j/2) + i], low for even j, high for odd
                {
                    byte* qs = p + 16 + 32 * (j / 2);
                    int shift = (j & 1) * 4;
                    for (int k = 0; k < 16; k++) q16[k] = (byte)(((qs[k] >> shift) & 0xF) | (((qs[k + 16] >> shift) & 0xF) << 4));
                    var (sc, mn) = KScaleMin(p + 4, j);
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps / 2; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)q16)[s];
                    ((float*)(dst + quantBytes))[l] = d * sc;
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = dmin * mn;
                }
            }
        }
    }

    /// <summary>Q5_K: each 32-value sub-block as unsigned bytes 0..31 (Q8_0's step layout) with its scale d·sc and min d_min·m.</summary>
    private static void PackQ5K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q5_K), quantBytes = Steps * StepBytes;
        byte* v = stackalloc byte[32];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 176, qh = p + 16;
                float d = Fp16.Table[*(ushort*)p], dmin = Fp16.Table[*(ushort*)(p + 2)];
                for (int j = 0; j < 8; j++) // sub-block j: nibble of qs[32·(j/2) + i] (low for even j) plus bit j of qh[i] as 16
                {
                    byte* qs = p + 48 + 32 * (j / 2);
                    int shift = (j & 1) * 4;
                    for (int i = 0; i < 32; i++) v[i] = (byte)(((qs[i] >> shift) & 0xF) | (((qh[i] >> j) & 1) << 4));
                    var (sc, mn) = KScaleMin(p + 4, j);
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)v)[s];
                    ((float*)(dst + quantBytes))[l] = d * sc;
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = dmin * mn;
                }
            }
        }
    }

    /// <summary>
    /// Q6_K: each 32 values become one packed block of signed bytes q − 32 (Q8_0's step layout) with two scales
    /// d·sc (values 0–15, then 16–31), the f32 products GgmlKQuant forms.
    /// </summary>
    private static void PackQ6K(in WeightMatrix m, int r0, int rows, byte* panel)
    {
        int bb = BlockBytes(GgmlType.Q6_K), quantBytes = Steps * StepBytes;
        sbyte* v = stackalloc sbyte[256];
        for (int l = 0; l < rows; l++)
        {
            byte* src = m.Row(r0 + l);
            for (int sb = 0; sb < m.Cols / 256; sb++)
            {
                byte* p = src + sb * 210;
                float d = Fp16.Table[*(ushort*)(p + 208)];
                for (int half = 0; half < 2; half++)
                {
                    byte* ql = p + 64 * half, qh = p + 128 + 32 * half;
                    sbyte* o = v + 128 * half;
                    for (int i = 0; i < 32; i++)
                    {
                        o[i] = (sbyte)(((ql[i] & 0xF) | ((qh[i] & 3) << 4)) - 32);
                        o[i + 32] = (sbyte)(((ql[i + 32] & 0xF) | (((qh[i] >> 2) & 3) << 4)) - 32);
                        o[i + 64] = (sbyte)(((ql[i] >> 4) | (((qh[i] >> 4) & 3) << 4)) - 32);
                        o[i + 96] = (sbyte)(((ql[i + 32] >> 4) | (((qh[i] >> 6) & 3) << 4)) - 32);
                    }
                }
                sbyte* sc = (sbyte*)(p + 192); // one scale per 16 values
                for (int j = 0; j < 8; j++)
                {
                    byte* dst = panel + (long)(sb * 8 + j) * bb;
                    for (int s = 0; s < Steps; s++) ((uint*)(dst + s * StepBytes))[l] = ((uint*)(v + 32 * j))[s];
                    ((float*)(dst + quantBytes))[l] = d * sc[2 * j];
                    ((float*)(dst + quantBytes + Lanes * sizeof(float)))[l] = d * sc[2 * j + 1];
                }
            }
        }
    }

    /// <summary>The 6-bit (scale, min) of Q4_K sub-block <paramref name="j"/> from its 12 packed bytes (as GgmlKQuant).</summary>
    private static (int Scale, int Min) KScaleMin(byte* s, int j) => j < 4
        ? (s[j] & 63, s[j + 4] & 63)
        : ((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4));

    private struct PackJob
    {
        public WeightMatrix M;
        public byte* Dst;
    }

    /// <summary>Packs all of <paramref name="m"/> into <paramref name="dst"/> (<see cref="PackedBytes"/> bytes), groups in parallel.</summary>
    public static void PackAll(in WeightMatrix m, byte* dst)
    {
        if (!(m.IsQuantized || m.Type is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K)) throw new ArgumentException($"QuantGemm: {m.Type} weights cannot be packed.");
        var job = new PackJob { M = m, Dst = dst };
        WorkerPool.Shared.For((m.Rows + Lanes - 1) / Lanes, &PackItem, &job);
    }

    private static void PackItem(int g, void* ctx)
    {
        var j = (PackJob*)ctx;
        Pack(j->M, g * Lanes, Math.Min(Lanes, j->M.Rows - g * Lanes), j->Dst + g * GroupBytes(j->M));
    }

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
        return typeof(TKind) == typeof(NibbleWeights) ? widened + Vector512.Create(x.Bias[b * 8]) : widened;
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
            acc = Avx512F.FusedMultiplyAdd(Vector512.Load(dw + Lanes), Vector512.Create(x.D[b] * (x.Bias[b * 8] / 8)), acc);
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
