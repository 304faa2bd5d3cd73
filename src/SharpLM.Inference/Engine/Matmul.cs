// Matmul: y = x·Wᵀ for weights in their stored type.
//   Gemv (decode, one activation row): up to three matrices sharing one input (q/k/v, gate/up) in a single
//   WorkerPool job whose rows (the matrices' rows one after another) are cut into one contiguous range per
//   thread: each thread then streams one long run of memory, which the hardware prefetchers follow, instead of
//   jumping between small interleaved chunks (with 32-row chunks claimed in turn, two threads decoded the
//   quantised files slower than one). Each range runs RowDot on its rows, or, for weights the engine has packed,
//   QuantGemm's kernel on the packed rows (range ends inside a matrix fall on its 16-row groups).
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
    private const int RowAlign = QuantGemm.Lanes; // a range starts at a packed 16-row group
    private const int PanelFloats = 1 << 19; // 2 MiB of f32 weights per dequantised panel
    private float* _panel;
    private long _panelFloats;

    private struct GemvJob
    {
        public WeightMatrix M0, M1, M2;
        public float* Y0, Y1, Y2;
        public int Rows0, Rows1, Rows2; // rows of each matrix (0 when absent)
        public int Items;
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
        var job = new GemvJob
        {
            M0 = m0, M1 = m1, M2 = m2, Y0 = y0, Y1 = y1, Y2 = y2, X = x, Q = q,
            Rows0 = m0.Rows, Rows1 = y1 == null ? 0 : m1.Rows, Rows2 = y2 == null ? 0 : m2.Rows,
        };
        int total = job.Rows0 + job.Rows1 + job.Rows2;
        job.Items = Math.Max(1, Math.Min(WorkerPool.Shared.Threads, total / (4 * RowAlign)));
        WorkerPool.Shared.For(job.Items, &GemvItem, &job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemvItem(int i, void* ctx)
    {
        var j = (GemvJob*)ctx;
        int total = j->Rows0 + j->Rows1 + j->Rows2;
        int a = Boundary(j, (int)((long)total * i / j->Items)), b = Boundary(j, (int)((long)total * (i + 1) / j->Items));
        // [a, b) of the concatenated rows, as a range of each matrix it touches.
        Run(j->M0, a, Math.Min(b, j->Rows0), j->X, j->Q, j->Y0);
        Run(j->M1, a - j->Rows0, Math.Min(b, j->Rows0 + j->Rows1) - j->Rows0, j->X, j->Q, j->Y1);
        Run(j->M2, a - j->Rows0 - j->Rows1, b - j->Rows0 - j->Rows1, j->X, j->Q, j->Y2);

        static void Run(in WeightMatrix m, int r0, int r1, float* x, QRow q, float* y)
        {
            r0 = Math.Max(r0, 0);
            if (r0 >= r1) return;
            if (m.Packed != null) QuantGemm.PackedRows(m, r0, r1, q, y);
            else RowDot.Rows(m, r0, r1, x, q, y);
        }
    }

    /// <summary>Concatenated row <paramref name="r"/> moved down to a 16-row group start of the matrix holding it (the total stays the end).</summary>
    private static int Boundary(GemvJob* j, int r)
    {
        int total = j->Rows0 + j->Rows1 + j->Rows2;
        if (r >= total) return total;
        int start = r < j->Rows0 ? 0 : r < j->Rows0 + j->Rows1 ? j->Rows0 : j->Rows0 + j->Rows1;
        return start + (r - start) / RowAlign * RowAlign;
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
