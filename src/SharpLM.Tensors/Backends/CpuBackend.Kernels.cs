// CpuBackend kernel entry points: each takes the tensors' host pointers and calls the CPU kernel that Ops
// used to call directly (Sgemm, FlashAttention, Unary/Binary/Reduce/Softmax/Norm kernels, the index, loss,
// RoPE and dropout loops). One call per op; the kernels own their loops and threading.
using SharpLM.Tensors.Cpu;

namespace SharpLM.Tensors.Backends;

public sealed unsafe partial class CpuBackend
{
    private static float* P(Tensor? t) => t is null ? null : t.F32Pointer;

    public void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, long aOffset, int lda,
        Tensor b, long bOffset, int ldb, Tensor c, long cOffset, int ldc, bool accumulate) =>
        Sgemm.Run(transA, transB, m, n, k, a.F32Pointer + aOffset, lda, b.F32Pointer + bOffset, ldb, c.F32Pointer + cOffset, ldc, accumulate);

    public void GemmBatched(int batch, bool transA, bool transB, int m, int n, int k, Tensor a, int lda, long strideA,
        Tensor b, int ldb, long strideB, Tensor c, int ldc, long strideC, bool accumulate) =>
        Sgemm.RunBatched(batch, transA, transB, m, n, k, a.F32Pointer, lda, strideA, b.F32Pointer, ldb, strideB, c.F32Pointer, ldc, strideC, accumulate);

    public void Binary(BinaryOp op, Tensor a, long[] aStrides, Tensor b, long[] bStrides, Tensor output) =>
        BinaryKernel.Run(op, a.F32Pointer, aStrides, b.F32Pointer, bStrides, output.F32Pointer, output.ShapeArray);

    public void Unary(UnaryOp op, Tensor x, Tensor y, float p) => UnaryKernel.Forward(op, x.F32Pointer, y.F32Pointer, x.Numel, p);

    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float p) =>
        UnaryKernel.Backward(op, x.F32Pointer, y.F32Pointer, dy.F32Pointer, dx.F32Pointer, dx.Numel, p);

    public void Select(int[] cond, Tensor? whenTrue, float trueValue, Tensor? whenFalse, float falseValue, Tensor output) =>
        IndexKernels.Select(cond, P(whenTrue), trueValue, P(whenFalse), falseValue, output.F32Pointer, output.Numel);

    public void Dropout(Tensor x, Tensor y, float p, ulong seed) => DropoutKernel.Apply(x.F32Pointer, y.F32Pointer, x.Numel, p, seed);

    public void Sum(Tensor x, Tensor output, long outer, int dim, long inner) => ReduceKernel.Sum(x.F32Pointer, output.F32Pointer, outer, dim, inner);

    public void Max(Tensor x, Tensor? values, Tensor indices, long outer, int dim, long inner) =>
        ReduceKernel.Max(x.F32Pointer, P(values), indices.I32Pointer, outer, dim, inner);

    public void MaxBackward(Tensor dy, Tensor indices, Tensor dx, long outer, int dim, long inner) =>
        IndexKernels.MaxBackward(dy.F32Pointer, indices.I32Pointer, dx.F32Pointer, outer, dim, inner);

    public void Softmax(Tensor x, Tensor y, long rows, int n, bool log) => SoftmaxKernel.Forward(x.F32Pointer, y.F32Pointer, rows, n, log);

    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, long rows, int n, bool log) =>
        SoftmaxKernel.Backward(y.F32Pointer, dy.F32Pointer, dx.F32Pointer, rows, n, log);

    public void Norm(Tensor x, Tensor? weight, Tensor? bias, Tensor y, Tensor? mean, Tensor rstd, long rows, int n, float eps, bool rms) =>
        NormKernel.Forward(x.F32Pointer, P(weight), P(bias), y.F32Pointer, P(mean), rstd.F32Pointer, rows, n, eps, rms);

    public void NormBackward(Tensor x, Tensor? weight, Tensor? mean, Tensor rstd, Tensor dy, Tensor dx, Tensor? dWeight, Tensor? dBias,
        long rows, int n, bool rms) =>
        NormKernel.Backward(x.F32Pointer, P(weight), P(mean), rstd.F32Pointer, dy.F32Pointer, dx.F32Pointer, P(dWeight), P(dBias), rows, n, rms);

    public void Rope(Tensor x, Tensor y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, bool inverse) =>
        RopeKernel.Rotate(x.F32Pointer, y.F32Pointer, rows, t, d, cos, sin, layout, inverse ? -1f : 1f);

    public void Attention(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse, Tensor? segments = null) =>
        FlashAttention.Forward(q.F32Pointer, k.F32Pointer, v.F32Pointer, output.F32Pointer, lse.F32Pointer,
            s.Batch, s.QHeads, s.KvHeads, s.Tq, s.Tk, s.HeadDim, s.Scale, s.Causal, P(alibiSlopes), s.DropoutP, s.Seed, segments is null ? null : segments.I32Pointer);

    public void AttentionBackward(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse,
        Tensor dOutput, Tensor dq, Tensor dk, Tensor dv, Tensor? segments = null) =>
        FlashAttention.Backward(q.F32Pointer, k.F32Pointer, v.F32Pointer, output.F32Pointer, lse.F32Pointer, dOutput.F32Pointer,
            dq.F32Pointer, dk.F32Pointer, dv.F32Pointer, s.Batch, s.QHeads, s.KvHeads, s.Tq, s.Tk, s.HeadDim, s.Scale, s.Causal,
            P(alibiSlopes), s.DropoutP, s.Seed, segments is null ? null : segments.I32Pointer);

    public void EmbeddingGather(Tensor weight, int[] indices, Tensor output) =>
        IndexKernels.Gather(weight.F32Pointer, indices, output.F32Pointer, weight.Shape[1]);

    public void EmbeddingScatterAdd(Tensor dy, int[] indices, Tensor dWeight) =>
        IndexKernels.ScatterAdd(dy.F32Pointer, indices, dWeight.F32Pointer, dWeight.Shape[1]);

    public (double Total, long Valid) CrossEntropy(Tensor logits, int[] targets, float[] lse, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null)
    {
        int c = logits.Shape[^1];
        return CrossEntropyKernel.Forward(logits.F32Pointer, targets, lse, lse.Length, c, ignoreIndex, labelSmoothing, rowWeights);
    }

    public void CrossEntropyBackward(Tensor logits, int[] targets, float[] lse, Tensor dLogits, float scale, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null) =>
        CrossEntropyKernel.Backward(logits.F32Pointer, targets, lse, dLogits.F32Pointer, lse.Length, logits.Shape[^1], scale, ignoreIndex, labelSmoothing, rowWeights);
}
