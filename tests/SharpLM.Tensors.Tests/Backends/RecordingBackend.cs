// RecordingBackend: a test decorator over another backend that appends the name of every entry point
// called, then forwards the call unchanged — proof that Ops reaches memory and kernels only through IBackend.
using System.Runtime.CompilerServices;
using SharpLM.Tensors.Backends;
using SharpLM.Tensors.Storage;

namespace SharpLM.Tensors.Tests.Backends;

internal sealed class RecordingBackend(IBackend inner) : IBackend
{
    private readonly List<string> _calls = new();

    /// <summary>Entry point names in call order.</summary>
    public IReadOnlyList<string> Calls { get { lock (_calls) return _calls.ToArray(); } }

    private IBackend Log([CallerMemberName] string name = "") { lock (_calls) _calls.Add(name); return inner; }

    public string Name => "recording(" + inner.Name + ")";
    public Device Device => inner.Device;

    public TensorStorage Allocate(long bytes) => Log().Allocate(bytes);
    public void Free(nint handle, int poolClass, bool fromFinalizer) => inner.Free(handle, poolClass, fromFinalizer);
    public void CopyFromHost(ReadOnlySpan<byte> src, Tensor dst) => Log().CopyFromHost(src, dst);
    public void CopyToHost(Tensor src, Span<byte> dst) => Log().CopyToHost(src, dst);
    public void Fill(Tensor dst, float value) => Log().Fill(dst, value);
    public void Copy(Tensor src, Tensor dst) => Log().Copy(src, dst);
    public void Convert(Tensor src, Tensor dst) => Log().Convert(src, dst);
    public void AddInto(Tensor src, Tensor dst) => Log().AddInto(src, dst);

    public void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, long aOffset, int lda, Tensor b, long bOffset, int ldb,
        Tensor c, long cOffset, int ldc, bool accumulate) =>
        Log().Gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate);

    public void GemmBatched(int batch, bool transA, bool transB, int m, int n, int k, Tensor a, int lda, long strideA, Tensor b, int ldb,
        long strideB, Tensor c, int ldc, long strideC, bool accumulate) =>
        Log().GemmBatched(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, accumulate);

    public void Binary(BinaryOp op, Tensor a, long[] aStrides, Tensor b, long[] bStrides, Tensor output) => Log().Binary(op, a, aStrides, b, bStrides, output);
    public void Unary(UnaryOp op, Tensor x, Tensor y, float p) => Log().Unary(op, x, y, p);
    public void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float p) => Log().UnaryBackward(op, x, y, dy, dx, p);
    public void Select(int[] cond, Tensor? whenTrue, float trueValue, Tensor? whenFalse, float falseValue, Tensor output) =>
        Log().Select(cond, whenTrue, trueValue, whenFalse, falseValue, output);
    public void Dropout(Tensor x, Tensor y, float p, ulong seed) => Log().Dropout(x, y, p, seed);
    public void Sum(Tensor x, Tensor output, long outer, int dim, long inner) => Log().Sum(x, output, outer, dim, inner);
    public void Max(Tensor x, Tensor? values, Tensor indices, long outer, int dim, long inner) => Log().Max(x, values, indices, outer, dim, inner);
    public void MaxBackward(Tensor dy, Tensor indices, Tensor dx, long outer, int dim, long inner) => Log().MaxBackward(dy, indices, dx, outer, dim, inner);
    public void Softmax(Tensor x, Tensor y, long rows, int n, bool log) => Log().Softmax(x, y, rows, n, log);
    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, long rows, int n, bool log) => Log().SoftmaxBackward(y, dy, dx, rows, n, log);

    public void Norm(Tensor x, Tensor? weight, Tensor? bias, Tensor y, Tensor? mean, Tensor rstd, long rows, int n, float eps, bool rms) =>
        Log().Norm(x, weight, bias, y, mean, rstd, rows, n, eps, rms);

    public void NormBackward(Tensor x, Tensor? weight, Tensor? mean, Tensor rstd, Tensor dy, Tensor dx, Tensor? dWeight, Tensor? dBias,
        long rows, int n, bool rms) =>
        Log().NormBackward(x, weight, mean, rstd, dy, dx, dWeight, dBias, rows, n, rms);

    public void Rope(Tensor x, Tensor y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, bool inverse) =>
        Log().Rope(x, y, rows, t, d, cos, sin, layout, inverse);

    public void Attention(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse, Tensor? segments = null) =>
        Log().Attention(s, q, k, v, alibiSlopes, output, lse, segments);

    public void AttentionBackward(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse,
        Tensor dOutput, Tensor dq, Tensor dk, Tensor dv, Tensor? segments = null) =>
        Log().AttentionBackward(s, q, k, v, alibiSlopes, output, lse, dOutput, dq, dk, dv, segments);

    public void EmbeddingGather(Tensor weight, int[] indices, Tensor output) => Log().EmbeddingGather(weight, indices, output);
    public void EmbeddingScatterAdd(Tensor dy, int[] indices, Tensor dWeight) => Log().EmbeddingScatterAdd(dy, indices, dWeight);

    public (double Total, long Valid) CrossEntropy(Tensor logits, int[] targets, float[] lse, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null) =>
        Log().CrossEntropy(logits, targets, lse, ignoreIndex, labelSmoothing, rowWeights);

    public void CrossEntropyBackward(Tensor logits, int[] targets, float[] lse, Tensor dLogits, float scale, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null) =>
        Log().CrossEntropyBackward(logits, targets, lse, dLogits, scale, ignoreIndex, labelSmoothing, rowWeights);
}
