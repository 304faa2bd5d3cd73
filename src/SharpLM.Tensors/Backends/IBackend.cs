// IBackend: the seam between Ops (shapes, checks, autograd) and the memory and kernels that do the work.
// A backend allocates and frees tensor storage, moves bytes between host and its device, and runs every
// kernel Ops needs. Arguments are tensors (so a GPU backend can find its device pointers) plus sizes;
// tensors passed as inputs or outputs are dense row-major unless a method says otherwise. One interface
// call per op: kernels loop over whole buffers, never per element through this interface.
using SharpLM.Tensors.Storage;

namespace SharpLM.Tensors.Backends;

/// <summary>Allocation, host transfer and the kernel entry points behind <see cref="Ops"/>.</summary>
public interface IBackend
{
    /// <summary>Short name for messages and tests ("cpu").</summary>
    string Name { get; }

    /// <summary>The device this backend's storage lives on.</summary>
    Device Device { get; }

    // ---- memory ----

    /// <summary>New storage of at least <paramref name="bytes"/> bytes (uninitialised), owned by this backend.</summary>
    TensorStorage Allocate(long bytes);

    /// <summary>Takes back memory from <see cref="Allocate"/>; <paramref name="fromFinalizer"/> when no pool may be touched.</summary>
    void Free(nint handle, int poolClass, bool fromFinalizer);

    /// <summary>Copies host bytes into dense <paramref name="dst"/> (byte counts must match).</summary>
    void CopyFromHost(ReadOnlySpan<byte> src, Tensor dst);

    /// <summary>Copies dense <paramref name="src"/> into host bytes (byte counts must match).</summary>
    void CopyToHost(Tensor src, Span<byte> dst);

    /// <summary>Fills dense <paramref name="dst"/> with <paramref name="value"/> (f32), or zeroes any dtype when value is +0.</summary>
    void Fill(Tensor dst, float value);

    /// <summary>Copies <paramref name="src"/> into <paramref name="dst"/>: same shape and dtype, either may be strided.</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>Converts dense <paramref name="src"/> into dense <paramref name="dst"/> of another (or the same) dtype.</summary>
    void Convert(Tensor src, Tensor dst);

    /// <summary>dst += src for dense f32 <paramref name="src"/>; <paramref name="dst"/> may be a strided view.</summary>
    void AddInto(Tensor src, Tensor dst);

    // ---- matrix products ----

    /// <summary>C = (accumulate ? C : 0) + op(A)·op(B), row-major, offsets in elements from each tensor's element 0.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, long aOffset, int lda,
        Tensor b, long bOffset, int ldb, Tensor c, long cOffset, int ldc, bool accumulate);

    /// <summary><paramref name="batch"/> products with constant element strides between operands (0 broadcasts).</summary>
    void GemmBatched(int batch, bool transA, bool transB, int m, int n, int k, Tensor a, int lda, long strideA,
        Tensor b, int ldb, long strideB, Tensor c, int ldc, long strideC, bool accumulate);

    // ---- elementwise ----

    /// <summary>output = a op b; a/b strides are already broadcast to output's shape (output dense).</summary>
    void Binary(BinaryOp op, Tensor a, long[] aStrides, Tensor b, long[] bStrides, Tensor output);

    /// <summary>y = f(x) elementwise; <paramref name="p"/> is the exponent of Pow.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, float p);

    /// <summary>dx = dy · f'(x) (using the saved y where cheaper).</summary>
    void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, float p);

    /// <summary>output = cond ? (whenTrue ?? trueValue) : (whenFalse ?? falseValue), all of output's size.</summary>
    void Select(int[] cond, Tensor? whenTrue, float trueValue, Tensor? whenFalse, float falseValue, Tensor output);

    /// <summary>Inverted dropout: y = keep(seed, i) ? x / (1 − p) : 0, the mask a counter hash of (seed, index).</summary>
    void Dropout(Tensor x, Tensor y, float p, ulong seed);

    // ---- reductions ----

    /// <summary>Sum over the middle dim of x viewed as [outer, dim, inner].</summary>
    void Sum(Tensor x, Tensor output, long outer, int dim, long inner);

    /// <summary>Max (first on ties) over the middle dim; <paramref name="values"/> may be null (argmax).</summary>
    void Max(Tensor x, Tensor? values, Tensor indices, long outer, int dim, long inner);

    /// <summary>dx[indices] += dy along the middle dim (dx zeroed by the caller).</summary>
    void MaxBackward(Tensor dy, Tensor indices, Tensor dx, long outer, int dim, long inner);

    // ---- row ops ----

    /// <summary>Softmax (or log-softmax) over rows of length <paramref name="n"/>.</summary>
    void Softmax(Tensor x, Tensor y, long rows, int n, bool log);

    /// <summary>Softmax backward from the saved output.</summary>
    void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, long rows, int n, bool log);

    /// <summary>LayerNorm (or RMSNorm) over rows, saving mean (LayerNorm only) and 1/std.</summary>
    void Norm(Tensor x, Tensor? weight, Tensor? bias, Tensor y, Tensor? mean, Tensor rstd, long rows, int n, float eps, bool rms);

    /// <summary>Norm backward; dw/db (zeroed by the caller) are accumulated when not null.</summary>
    void NormBackward(Tensor x, Tensor? weight, Tensor? mean, Tensor rstd, Tensor dy, Tensor dx, Tensor? dWeight, Tensor? dBias,
        long rows, int n, bool rms);

    /// <summary>Rotary embedding of rows [rows, D] at position row % t; cos/sin are host tables [t, D/2]; inverse rotates back.</summary>
    void Rope(Tensor x, Tensor y, long rows, int t, int d, float[] cos, float[] sin, RopeLayout layout, bool inverse);

    // ---- attention ----

    /// <summary>Fused causal/ALiBi attention forward: o and the per-row log-sum-exp; with segment ids i32 [B, Tk] a query attends only to keys of its own segment.</summary>
    void Attention(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse, Tensor? segments = null);

    /// <summary>Fused attention backward, recomputing scores from the saved log-sum-exp.</summary>
    void AttentionBackward(in AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor? alibiSlopes, Tensor output, Tensor lse,
        Tensor dOutput, Tensor dq, Tensor dk, Tensor dv, Tensor? segments = null);

    // ---- embedding and loss ----

    /// <summary>output[i] = weight[indices[i]] for a [V, D] table.</summary>
    void EmbeddingGather(Tensor weight, int[] indices, Tensor output);

    /// <summary>dWeight[indices[i]] += dy[i] (dWeight zeroed by the caller; repeats accumulate in order).</summary>
    void EmbeddingScatterAdd(Tensor dy, int[] indices, Tensor dWeight);

    /// <summary>Cross-entropy over rows of [rows, C] logits: fills lse per counted row, returns the loss sum (each row times its weight when given) and the count.</summary>
    (double Total, long Valid) CrossEntropy(Tensor logits, int[] targets, float[] lse, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null);

    /// <summary>dLogits = (softmax − smoothed one-hot) · scale (· the row's weight when given) for counted rows (dLogits zeroed by the caller).</summary>
    void CrossEntropyBackward(Tensor logits, int[] targets, float[] lse, Tensor dLogits, float scale, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null);
}
