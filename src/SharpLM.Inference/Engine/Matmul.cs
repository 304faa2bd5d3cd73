// Matmul: y = x·Wᵀ for weights in their stored type.
//   Gemv (decode, one activation row): up to three matrices sharing one input (q/k/v, gate/up) in a single
//   WorkerPool job, split into chunks of RowsPerItem output rows; each chunk runs RowDot on all rows, or, for
//   Q8_0/Q4_0 weights the engine has packed, QuantGemm's kernel on the packed rows.
//   Gemm (prefill, T rows): F32 weights go straight to Sgemm from the mapped file; Q8_0/Q4_0 run the int8
//   QuantGemm on quantised activations; F16/BF16 for a few rows run HalfBatchGemm (weights converted in
//   registers); the rest (and quantised weights without activations) are dequantised panel
//   by panel (rows in parallel) into a reused f32 scratch and multiplied by Sgemm.
using System.Runtime.InteropServices;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Cpu;
using SharpLM.Tensors.Threading;
using System.Runtime.CompilerServices;

namespace SharpLM.Inference.Engine;

internal sealed unsafe class Matmul : IDisposable
{
    private const int RowsPerItem = 32;
    private const int PanelFloats = 1 << 19; // 2 MiB of f32 weights per dequantised panel
    private float* _panel;
    private long _panelFloats;

    private struct GemvJob
    {
        public WeightMatrix M0, M1, M2;
        public float* Y0, Y1, Y2;
        public int C0, C1; // chunk counts of M0 and M1
        public float* X;
        public QRow Q;
    }

    /// <summary>y0 = m0·x (and y1 = m1·x, y2 = m2·x when given); <paramref name="q"/> holds x quantised if any matrix is Q8_0/Q4_0.</summary>
    public static void Gemv(float* x, QRow q, in WeightMatrix m0, float* y0)
    {
        WeightMatrix none = default;
        Gemv(x, q, m0, y0, none, null, none, null);
    }

    public static void Gemv(float* x, QRow q, in WeightMatrix m0, float* y0, in WeightMatrix m1, float* y1, in WeightMatrix m2, float* y2)
    {
        var job = new GemvJob { M0 = m0, M1 = m1, M2 = m2, Y0 = y0, Y1 = y1, Y2 = y2, X = x, Q = q };
        job.C0 = Chunks(m0.Rows);
        job.C1 = y1 == null ? 0 : Chunks(m1.Rows);
        int c2 = y2 == null ? 0 : Chunks(m2.Rows);
        WorkerPool.Shared.For(job.C0 + job.C1 + c2, &GemvItem, &job);
    }

    private static int Chunks(int rows) => (rows + RowsPerItem - 1) / RowsPerItem;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvItem(int i, void* ctx)
    {
        var j = (GemvJob*)ctx;
        if (i < j->C0) Run(j->M0, i, j->X, j->Q, j->Y0);
        else if (i < j->C0 + j->C1) Run(j->M1, i - j->C0, j->X, j->Q, j->Y1);
        else Run(j->M2, i - j->C0 - j->C1, j->X, j->Q, j->Y2);

        static void Run(in WeightMatrix m, int chunk, float* x, QRow q, float* y)
        {
            int r0 = chunk * RowsPerItem, r1 = Math.Min(m.Rows, r0 + RowsPerItem);
            if (m.Packed != null) QuantGemm.PackedRows(m, r0, r1, q, y); // RowsPerItem is a multiple of QuantGemm.Lanes
            else RowDot.Rows(m, r0, r1, x, q, y);
        }
    }

    private struct DequantJob
    {
        public WeightMatrix M;
        public int R0, Rows;
        public float* Dst;
    }

    /// <summary>
    /// Y[t, 0..m.Rows) (row stride <paramref name="ldy"/>) = X[t, 0..m.Cols) · Wᵀ for t &lt; <paramref name="tokens"/>.
    /// <paramref name="xq"/>, when given, holds the same rows quantised to Q8_0: Q8_0/Q4_0 weights then run the
    /// int8 QuantGemm (the engine always passes it for those, so every route sees the same activations).
    /// </summary>
    public void Gemm(float* x, int tokens, in WeightMatrix m, float* y, int ldy, QuantizedActivations? xq = null)
    {
        if (m.Type == GgmlType.F32)
        {
            Sgemm.Run(false, true, tokens, m.Rows, m.Cols, x, m.Cols, (float*)m.Data, m.Cols, y, ldy, false);
            return;
        }
        if (HalfBatchGemm.Preferred(m, tokens))
        {
            HalfBatchGemm.Run(x, tokens, m, y, ldy);
            return;
        }
        if (xq is not null && m.UsesInt8)
        {
            QuantGemm.Run(xq, tokens, m, y, ldy);
            return;
        }
        int panel = Math.Max(64, PanelFloats / m.Cols / 16 * 16);
        EnsurePanel((long)panel * m.Cols);
        for (int r0 = 0; r0 < m.Rows; r0 += panel)
        {
            int rows = Math.Min(panel, m.Rows - r0);
            var job = new DequantJob { M = m, R0 = r0, Rows = rows, Dst = _panel };
            WorkerPool.Shared.For((rows + 15) / 16, &DequantItem, &job);
            Sgemm.Run(false, true, tokens, rows, m.Cols, x, m.Cols, _panel, m.Cols, y + r0, ldy, false);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DequantItem(int i, void* ctx)
    {
        var j = (DequantJob*)ctx;
        int a = i * 16, b = Math.Min(j->Rows, a + 16);
        for (int r = a; r < b; r++) Dequant.Row(j->M, j->R0 + r, j->Dst + (long)r * j->M.Cols);
    }

    private void EnsurePanel(long floats)
    {
        if (floats <= _panelFloats) return;
        if (_panel != null) NativeMemory.AlignedFree(_panel);
        _panel = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
        _panelFloats = floats;
    }

    public void Dispose()
    {
        if (_panel != null) { NativeMemory.AlignedFree(_panel); _panel = null; _panelFloats = 0; }
    }
}
