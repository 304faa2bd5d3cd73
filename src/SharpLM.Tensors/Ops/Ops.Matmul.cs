// Matmul: batched matrix product with broadcast batch dims (PyTorch torch.matmul semantics for rank >= 1).
// Transposed views are passed to SGEMM as transpose flags, never copied; backward is two more matmuls on
// transposed views (NT for dA, TN for dB) followed by a sum over broadcast batch dims.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>a @ b: a [..., M, K] × b [..., K, N] → [..., M, N]; 1-D operands are promoted as in PyTorch.</summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        if (a.DType != DType.F32 || b.DType != DType.F32)
            throw new ArgumentException($"Matmul: expected f32 operands, got {a.DType.Name()} and {b.DType.Name()}.");
        if (a.Rank == 0 || b.Rank == 0) throw new ArgumentException("Matmul: operands must have at least one dim.");
        if (a.Rank == 1) return Matmul(a.Unsqueeze(0), b).Squeeze(-2);
        if (b.Rank == 1) return Matmul(a, b.Unsqueeze(1)).Squeeze(-1);
        int m = a.Shape[^2], k = a.Shape[^1], k2 = b.Shape[^2], n = b.Shape[^1];
        if (k != k2)
            throw new ArgumentException($"Matmul: inner dims differ: a {ShapeUtil.Format(a.Shape)} has K={k}, b {ShapeUtil.Format(b.Shape)} has K={k2}.");
        var batch = ShapeUtil.Broadcast(a.Shape[..^2], b.Shape[..^2], "Matmul (batch dims)");
        var outShape = batch.Concat([m, n]).ToArray();
        var o = Tensor.Alloc(outShape, DType.F32);
        MatmulInto(a, b, o, batch, m, n, k);
        var sa = a.Shape.ToArray(); var sb = b.Shape.ToArray();
        return GradRecorder.Record(o, "matmul", a, b, g => [
            a.RequiresGrad ? SumToShape(Matmul(g, b.Transpose(-1, -2)), sa) : null,
            b.RequiresGrad ? SumToShape(Matmul(a.Transpose(-1, -2), g), sb) : null]);
    }

    /// <summary>How an operand's last two dims map onto SGEMM: transposed or not, leading dim.</summary>
    private static (Tensor T, bool Trans, int Ld) GemmOperand(Tensor x, int rows, int cols)
    {
        long s0 = x.Strides[^2], s1 = x.Strides[^1];
        if ((s1 == 1 || cols == 1) && (s0 >= cols || rows == 1)) return (x, false, (int)Math.Max(s0, cols));
        if ((s0 == 1 || rows == 1) && (s1 >= rows || cols == 1)) return (x, true, (int)Math.Max(s1, rows));
        var c = x.Detach().Contiguous();
        return (c, false, cols);
    }

    private static void MatmulInto(Tensor a, Tensor b, Tensor o, int[] batch, int m, int n, int k, bool accumulate = false)
    {
        var (ta, transA, lda) = GemmOperand(a, m, k);
        var (tb, transB, ldb) = GemmOperand(b, k, n);
        long count = ShapeUtil.Numel(batch);
        var offA = BatchOffsets(ta, batch); var offB = BatchOffsets(tb, batch);
        var be = Backend.Current;
        long strideC = (long)m * n;
        if (IsProgression(offA, out long strideA) && IsProgression(offB, out long strideB))
        {
            be.GemmBatched(checked((int)count), transA, transB, m, n, k, ta, lda, strideA, tb, ldb, strideB, o, n, strideC, accumulate);
            return;
        }
        for (long i = 0; i < count; i++)
            be.Gemm(transA, transB, m, n, k, ta, offA[i], lda, tb, offB[i], ldb, o, i * strideC, n, accumulate);
    }

    private static long[] BatchOffsets(Tensor x, int[] batch)
    {
        var bs = ShapeUtil.BroadcastStrides(x.Shape[..^2], x.Strides[..^2], batch);
        long count = ShapeUtil.Numel(batch);
        var offs = new long[count];
        var idx = new int[batch.Length];
        for (long i = 0; i < count; i++)
        {
            long off = 0;
            for (int d = 0; d < batch.Length; d++) off += idx[d] * bs[d];
            offs[i] = off;
            for (int d = batch.Length - 1; d >= 0; d--) { if (++idx[d] < batch[d]) break; idx[d] = 0; }
        }
        return offs;
    }

    private static bool IsProgression(long[] offs, out long stride)
    {
        stride = offs.Length > 1 ? offs[1] - offs[0] : 0;
        if (offs.Length > 0 && offs[0] != 0) return false;
        for (int i = 2; i < offs.Length; i++) if (offs[i] - offs[i - 1] != stride) return false;
        return true;
    }

    /// <summary>x @ Wᵀ (+ bias): a Linear layer with PyTorch's [out, in] weight layout.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be [out, in], got {ShapeUtil.Format(weight.Shape)}.");
        var y = Matmul(x, weight.Transpose(0, 1));
        return bias is null ? y : Add(y, bias);
    }
}
