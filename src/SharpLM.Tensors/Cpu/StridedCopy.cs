// StridedCopy: gathers an arbitrary strided view into a dense row-major buffer (the kernel behind
// Contiguous, Concat and dtype conversion). The innermost dim is copied as a block when its stride is 1.
namespace SharpLM.Tensors.Cpu;

internal static unsafe class StridedCopy
{
    /// <summary>Copies the view (shape, strides in elements) at <paramref name="src"/> densely to <paramref name="dst"/>.</summary>
    public static void ToContiguous(byte* src, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, byte* dst, int elemSize)
    {
        int rank = shape.Length;
        long n = ShapeUtil.Numel(shape);
        if (n == 0) return;
        if (rank == 0) { Buffer.MemoryCopy(src, dst, elemSize, elemSize); return; }
        int inner = shape[rank - 1];
        long innerStride = strides[rank - 1];
        long rows = n / inner;
        Span<int> idx = stackalloc int[rank];
        idx.Clear();
        for (long r = 0; r < rows; r++)
        {
            long off = 0;
            for (int d = 0; d < rank - 1; d++) off += idx[d] * strides[d];
            byte* s = src + off * elemSize;
            byte* o = dst + r * inner * elemSize;
            if (innerStride == 1) Buffer.MemoryCopy(s, o, (long)inner * elemSize, (long)inner * elemSize);
            else if (elemSize == 4)
            {
                int* si = (int*)s; int* oi = (int*)o;
                for (int j = 0; j < inner; j++) oi[j] = si[j * innerStride];
            }
            else
            {
                short* si = (short*)s; short* oi = (short*)o;
                for (int j = 0; j < inner; j++) oi[j] = si[j * innerStride];
            }
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    /// <summary>Scatters a dense buffer into the strided view at <paramref name="dst"/> (assignment into a slice).</summary>
    public static void FromContiguous(byte* src, byte* dst, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, int elemSize)
    {
        int rank = shape.Length;
        long n = ShapeUtil.Numel(shape);
        if (n == 0) return;
        if (rank == 0) { Buffer.MemoryCopy(src, dst, elemSize, elemSize); return; }
        int inner = shape[rank - 1];
        long innerStride = strides[rank - 1];
        long rows = n / inner;
        Span<int> idx = stackalloc int[rank];
        idx.Clear();
        for (long r = 0; r < rows; r++)
        {
            long off = 0;
            for (int d = 0; d < rank - 1; d++) off += idx[d] * strides[d];
            byte* o = dst + off * elemSize;
            byte* s = src + r * inner * elemSize;
            if (innerStride == 1) Buffer.MemoryCopy(s, o, (long)inner * elemSize, (long)inner * elemSize);
            else for (int j = 0; j < inner; j++) Buffer.MemoryCopy(s + j * elemSize, o + j * innerStride * elemSize, elemSize, elemSize);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    /// <summary>Adds a dense f32 buffer into a strided f32 view (used by backward of views).</summary>
    public static void AddIntoStrided(float* src, float* dst, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        int rank = shape.Length;
        long n = ShapeUtil.Numel(shape);
        if (n == 0) return;
        if (rank == 0) { dst[0] += src[0]; return; }
        int inner = shape[rank - 1];
        long innerStride = strides[rank - 1];
        long rows = n / inner;
        Span<int> idx = stackalloc int[rank];
        idx.Clear();
        for (long r = 0; r < rows; r++)
        {
            long off = 0;
            for (int d = 0; d < rank - 1; d++) off += idx[d] * strides[d];
            float* o = dst + off;
            float* s = src + r * inner;
            if (innerStride == 1) System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(o, inner), new ReadOnlySpan<float>(s, inner), new Span<float>(o, inner));
            else for (int j = 0; j < inner; j++) o[j * innerStride] += s[j];
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }
}
