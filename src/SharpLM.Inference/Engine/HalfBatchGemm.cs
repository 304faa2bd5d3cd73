// HalfBatchGemm: y = x·Wᵀ for F16/BF16 weights and a few activation rows (batched decode of a few sequences).
// Dequantising every weight to an f32 panel before SGEMM costs a full f32 write and read of the matrix, which
// for a handful of rows outweighs the multiplications; here each weight vector is converted in registers once
// and multiplied with four token rows (four accumulators), so the weights stream once per four tokens.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Inference.Engine;

internal static unsafe class HalfBatchGemm
{
    /// <summary>Most rows for which this beats dequantise + SGEMM (batched decode sizes; prefill takes SGEMM).</summary>
    public const int MaxTokens = 16;
    private const int RowsPerItem = 32;

    public static bool Preferred(in WeightMatrix m, int tokens) =>
        RowDot.Simd && tokens <= MaxTokens && m.Type is GgmlType.F16 or GgmlType.BF16 && m.Cols % 16 == 0;

    private struct Job
    {
        public WeightMatrix M;
        public float* X, Y;
        public int Tokens, Ldy;
    }

    /// <summary>Y[t, 0..m.Rows) (row stride <paramref name="ldy"/>) = X[t]·Wᵀ, X rows of m.Cols floats.</summary>
    public static void Run(float* x, int tokens, in WeightMatrix m, float* y, int ldy)
    {
        var job = new Job { M = m, X = x, Y = y, Tokens = tokens, Ldy = ldy };
        WorkerPool.Shared.For((m.Rows + RowsPerItem - 1) / RowsPerItem, &Item, &job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Item(int item, void* ctx)
    {
        var j = (Job*)ctx;
        int r0 = item * RowsPerItem, r1 = Math.Min(j->M.Rows, r0 + RowsPerItem), n = j->M.Cols;
        int t = 0;
        for (; t + 4 <= j->Tokens; t += 4)
            for (int r = r0; r < r1; r++)
            {
                float* x = j->X + (long)t * n;
                var (a, b, c, d) = j->M.Type == GgmlType.F16 ? Dot4<F16>((ushort*)j->M.Row(r), x, n) : Dot4<Bf16>((ushort*)j->M.Row(r), x, n);
                float* y = j->Y + (long)t * j->Ldy + r;
                y[0] = a; y[j->Ldy] = b; y[2L * j->Ldy] = c; y[3L * j->Ldy] = d;
            }
        for (; t < j->Tokens; t++) // the last 1–3 rows: the GEMV kernel
            RowDot.Rows(j->M, r0, r1, j->X + (long)t * n, default, j->Y + (long)t * j->Ldy);
    }

    private interface IHalf { static abstract Vector512<float> Load(ushort* p); }
    private struct F16 : IHalf { public static Vector512<float> Load(ushort* p) => Fp16.Load16(p); }
    private struct Bf16 : IHalf { public static Vector512<float> Load(ushort* p) => RowDot.LoadBf16(p); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float, float, float, float) Dot4<T>(ushort* w, float* x, int n) where T : struct, IHalf
    {
        Vector512<float> a = default, b = default, c = default, d = default;
        for (int i = 0; i < n; i += 16)
        {
            var v = T.Load(w + i);
            a = Avx512F.FusedMultiplyAdd(v, Vector512.Load(x + i), a);
            b = Avx512F.FusedMultiplyAdd(v, Vector512.Load(x + n + i), b);
            c = Avx512F.FusedMultiplyAdd(v, Vector512.Load(x + 2 * n + i), c);
            d = Avx512F.FusedMultiplyAdd(v, Vector512.Load(x + 3 * n + i), d);
        }
        return (Vector512.Sum(a), Vector512.Sum(b), Vector512.Sum(c), Vector512.Sum(d));
    }
}
