// QuantGemm: prefill GEMM for Q8_0/Q4_0 weights on int8 activations — Y[t, r] = Σ_b d_w[r,b]·d_x[t,b]·Σ_j q_w·q_x —
// for every multi-row matmul on quantised weights (prefill and batched decode). Why int8 and not dequantise +
// SGEMM: the GEMV kernels of decode already run on Q8_0-quantised activations (as llama.cpp does), and a
// sequence must give the same logits whether its rows run alone, in a long prefill pass or in a batch with
// other sequences — so every route for a quantised weight sees the same quantised activations.
//   Work item = RowsPerItem weight rows × all tokens. Each item first unpacks its rows into a thread-local
//   panel (per row: blocks in pairs, 64 signed int8 — Q8_0 as stored, Q4_0 as q−8 — then the pair's scales
//   spread over the sixteen int32 lanes [d0×8, d1×8], the same lane layout as QuantizedActivations.Dl), so
//   the unpacking runs once per row, not once per token.
//   Micro-kernel = MR tokens × NR rows, MR·NR Vector512 accumulators. Per block pair and (token, row):
//   u8·s8 products need one unsigned side, so |w| is multiplied with sign(w)·x (x ∈ [−127, 127], so no
//   int16 pair saturates), summed to int32 (MultiplyAddAdjacent twice), converted and scaled by d_w·d_x.
//   .NET 10 exposes no 512-bit VNNI (vpdpbusd), hence the two-step madd: six instructions per 64 products, about
//   0.8× of SGEMM's f32 rate on a Zen 4 core for long batches and 2× dequantise + SGEMM for a few rows
//   (`bench quant-gemm`). Without AVX-512 each (token, row) runs RowDot's AVX2 or scalar int8 dot.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Inference.Engine;

internal static unsafe class QuantGemm
{
    private const int MR = 4, NR = 4, RowsPerItem = 16, MaxBatchTokens = 1024;

    [ThreadStatic] private static byte* t_panel;
    [ThreadStatic] private static long t_panelBytes;

    private struct Job
    {
        public WeightMatrix M;
        public QRow* X; // the token rows of the quantised activations
        public int Tokens, Ldy;
        public float* Y;
    }

    /// <summary>True where the AVX-512 tile kernel runs; elsewhere each (token, row) runs RowDot's AVX2/scalar int8 dot.</summary>
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
        WorkerPool.Shared.For((m.Rows + RowsPerItem - 1) / RowsPerItem, &Item, &job);
    }

    private static int Pairs(int cols) => (cols / 32 + 1) / 2;

    /// <summary>Bytes of one unpacked panel row: per pair 64 int8 values and 16 f32 lane scales.</summary>
    private static long PanelRowBytes(int cols) => Pairs(cols) * 128L;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int item, void* ctx)
    {
        var j = (Job*)ctx;
        int r0 = item * RowsPerItem, rows = Math.Min(RowsPerItem, j->M.Rows - r0), pairs = Pairs(j->M.Cols);
        if (!Supported) // no AVX-512: the GEMV kernels row by row, on the same int8 activations
        {
            for (int i = 0; i < j->Tokens; i++) RowDot.Rows(j->M, r0, r0 + rows, null, j->X[i], j->Y + (long)i * j->Ldy);
            return;
        }
        long rowBytes = PanelRowBytes(j->M.Cols);
        byte* panel = Panel(rows * rowBytes);
        for (int r = 0; r < rows; r++) Unpack(j->M, r0 + r, panel + r * rowBytes);
        var x = j->X;
        int t = 0;
        for (; t + MR <= j->Tokens; t += MR)
        {
            int r = 0;
            for (; r + NR <= rows; r += NR)
                Tile4x4(panel + r * rowBytes, rowBytes, x[t], x[t + 1], x[t + 2], x[t + 3], pairs, j->Y + (long)t * j->Ldy + r0 + r, j->Ldy);
            for (; r < rows; r++)
                for (int i = 0; i < MR; i++) j->Y[(long)(t + i) * j->Ldy + r0 + r] = Dot(panel + r * rowBytes, x[t + i], pairs);
        }
        for (; t < j->Tokens; t++)
            for (int r = 0; r < rows; r++) j->Y[(long)t * j->Ldy + r0 + r] = Dot(panel + r * rowBytes, x[t], pairs);
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

    /// <summary>Unpacks row <paramref name="r"/> into the panel layout (a missing odd block is zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Unpack(in WeightMatrix m, int r, byte* dst)
    {
        byte* src = m.Row(r);
        int blocks = m.Cols / 32, pairs = Pairs(m.Cols);
        for (int b = 0; b < pairs * 2; b++)
        {
            sbyte* q = (sbyte*)dst + (b >> 1) * 128 + (b & 1) * 32;
            float* s = (float*)(dst + (b >> 1) * 128 + 64) + (b & 1) * 8;
            float d = 0;
            if (b >= blocks) new Span<sbyte>(q, 32).Clear();
            else if (m.Type == GgmlType.Q8_0)
            {
                byte* p = src + b * 34;
                d = Fp16.Table[*(ushort*)p];
                Vector256.Load((sbyte*)(p + 2)).Store(q);
            }
            else
            {
                byte* p = src + b * 18;
                d = Fp16.Table[*(ushort*)p];
                var nn = Vector128.Load(p + 2);
                var eight = Vector128.Create((byte)8);
                ((nn & Vector128.Create((byte)0x0F)) - eight).AsSByte().Store(q);
                (Vector128.ShiftRightLogical(nn, 4) - eight).AsSByte().Store(q + 16);
            }
            Vector256.Create(d).Store(s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step(Vector512<byte> aw, Vector512<sbyte> w, Vector512<sbyte> x, Vector512<float> dw, float* dl, Vector512<float> acc)
    {
        var xs = Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - x, x);
        var p32 = Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(aw, xs), Vector512<short>.One);
        return Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(p32), dw * Vector512.Load(dl), acc);
    }

    /// <summary>Four tokens × four panel rows; y rows are tokens (stride <paramref name="ldy"/>), columns are the four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(byte* w, long wStride, QRow x0, QRow x1, QRow x2, QRow x3, int pairs, float* y, int ldy)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (int p = 0; p < pairs; p++)
        {
            var v0 = Vector512.Load(x0.Qs + p * 64); var v1 = Vector512.Load(x1.Qs + p * 64);
            var v2 = Vector512.Load(x2.Qs + p * 64); var v3 = Vector512.Load(x3.Qs + p * 64);
            float* d0 = x0.Dl + p * 16, d1 = x1.Dl + p * 16, d2 = x2.Dl + p * 16, d3 = x3.Dl + p * 16;
            byte* pw = w + p * 128;

            var q = Vector512.Load((sbyte*)pw); var aq = Vector512.Abs(q).AsByte(); var s = Vector512.Load((float*)(pw + 64));
            a00 = Step(aq, q, v0, s, d0, a00); a10 = Step(aq, q, v1, s, d1, a10); a20 = Step(aq, q, v2, s, d2, a20); a30 = Step(aq, q, v3, s, d3, a30);
            pw += wStride;
            q = Vector512.Load((sbyte*)pw); aq = Vector512.Abs(q).AsByte(); s = Vector512.Load((float*)(pw + 64));
            a01 = Step(aq, q, v0, s, d0, a01); a11 = Step(aq, q, v1, s, d1, a11); a21 = Step(aq, q, v2, s, d2, a21); a31 = Step(aq, q, v3, s, d3, a31);
            pw += wStride;
            q = Vector512.Load((sbyte*)pw); aq = Vector512.Abs(q).AsByte(); s = Vector512.Load((float*)(pw + 64));
            a02 = Step(aq, q, v0, s, d0, a02); a12 = Step(aq, q, v1, s, d1, a12); a22 = Step(aq, q, v2, s, d2, a22); a32 = Step(aq, q, v3, s, d3, a32);
            pw += wStride;
            q = Vector512.Load((sbyte*)pw); aq = Vector512.Abs(q).AsByte(); s = Vector512.Load((float*)(pw + 64));
            a03 = Step(aq, q, v0, s, d0, a03); a13 = Step(aq, q, v1, s, d1, a13); a23 = Step(aq, q, v2, s, d2, a23); a33 = Step(aq, q, v3, s, d3, a33);
        }
        Store(y, a00, a01, a02, a03);
        Store(y + ldy, a10, a11, a12, a13);
        Store(y + 2L * ldy, a20, a21, a22, a23);
        Store(y + 3L * ldy, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        y[0] = Vector512.Sum(a); y[1] = Vector512.Sum(b); y[2] = Vector512.Sum(c); y[3] = Vector512.Sum(d);
    }

    /// <summary>One panel row · one token (the edges of the tiling).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(byte* w, QRow x, int pairs)
    {
        var acc = Vector512<float>.Zero;
        for (int p = 0; p < pairs; p++)
        {
            byte* pw = w + p * 128;
            var q = Vector512.Load((sbyte*)pw);
            acc = Step(Vector512.Abs(q).AsByte(), q, Vector512.Load(x.Qs + p * 64), Vector512.Load((float*)(pw + 64)), x.Dl + p * 16, acc);
        }
        return Vector512.Sum(acc);
    }
}
