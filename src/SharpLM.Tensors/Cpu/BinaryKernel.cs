// BinaryKernel: elementwise add/sub/mul/div over broadcast strided inputs into a dense output. The inner
// dim goes through TensorPrimitives (vector × vector, vector × scalar, scalar × vector); outer dims are
// walked with an index counter; rows are split across the worker pool for large tensors.
using System.Numerics.Tensors;

using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class BinaryKernel
{
    /// <summary>out[idx] = a[idx] op b[idx]; a/b strides are already broadcast to <paramref name="shape"/>.</summary>
    public static void Run(BinaryOp op, float* a, long[] sa, float* b, long[] sb, float* o, int[] shape)
    {
        int rank = shape.Length;
        long n = ShapeUtil.Numel(shape);
        if (n == 0) return;
        if (rank == 0) { o[0] = Scalar(op, a[0], b[0]); return; }
        int inner = shape[rank - 1];
        long rows = n / inner;
        nint pa = (nint)a, pb = (nint)b, po = (nint)o;
        CpuParallel.Rows(rows, inner, (r0, r1) => RunRows(op, (float*)pa, sa, (float*)pb, sb, (float*)po, shape, r0, r1));
    }

    private static void RunRows(BinaryOp op, float* a, long[] sa, float* b, long[] sb, float* o, int[] shape, long r0, long r1)
    {
        int rank = shape.Length, inner = shape[rank - 1];
        long ia = sa[rank - 1], ib = sb[rank - 1];
        Span<int> idx = stackalloc int[rank];
        long rem = r0;
        for (int d = rank - 2; d >= 0; d--) { idx[d] = (int)(rem % shape[d]); rem /= shape[d]; }
        for (long r = r0; r < r1; r++)
        {
            long offA = 0, offB = 0;
            for (int d = 0; d < rank - 1; d++) { offA += idx[d] * sa[d]; offB += idx[d] * sb[d]; }
            Row(op, a + offA, ia, b + offB, ib, o + r * inner, inner);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    private static void Row(BinaryOp op, float* a, long ia, float* b, long ib, float* o, int n)
    {
        var dst = new Span<float>(o, n);
        if (ia == 1 && ib == 1)
        {
            var x = new ReadOnlySpan<float>(a, n); var y = new ReadOnlySpan<float>(b, n);
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(x, y, dst); return;
                case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, dst); return;
                case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, dst); return;
                case BinaryOp.Div: TensorPrimitives.Divide(x, y, dst); return;
            }
        }
        if (ia == 1 && ib == 0)
        {
            var x = new ReadOnlySpan<float>(a, n); float y = b[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(x, y, dst); return;
                case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, dst); return;
                case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, dst); return;
                case BinaryOp.Div: TensorPrimitives.Divide(x, y, dst); return;
            }
        }
        if (ia == 0 && ib == 1)
        {
            float x = a[0]; var y = new ReadOnlySpan<float>(b, n);
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(y, x, dst); return;
                case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, dst); return;
                case BinaryOp.Mul: TensorPrimitives.Multiply(y, x, dst); return;
                case BinaryOp.Div: TensorPrimitives.Divide(x, y, dst); return;
            }
        }
        for (int j = 0; j < n; j++) o[j] = Scalar(op, a[j * ia], b[j * ib]);
    }

    private static float Scalar(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y, BinaryOp.Sub => x - y, BinaryOp.Mul => x * y, _ => x / y,
    };
}
