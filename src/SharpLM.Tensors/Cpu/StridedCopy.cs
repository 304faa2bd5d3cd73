// StridedCopy: moves data between an arbitrary strided view and a dense row-major buffer — gather
// (Contiguous, Concat, dtype conversion), scatter (assignment into a slice such as a KV cache) and
// scatter-add (backward of views). The view is walked one innermost row at a time; a row whose stride is 1
// moves as one block.
namespace SharpLM.Tensors.Cpu;

internal static unsafe class StridedCopy
{
    /// <summary>Walks the rows (innermost dim) of a strided view: yields each row's element offset.</summary>
    private ref struct RowWalker
    {
        private readonly ReadOnlySpan<int> _shape;
        private readonly ReadOnlySpan<long> _strides;
        private readonly Span<int> _idx;
        private long _row;
        public readonly long Rows;

        public RowWalker(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, Span<int> idx)
        {
            _shape = shape; _strides = strides; _idx = idx;
            _idx.Clear();
            long n = ShapeUtil.Numel(shape);
            Rows = shape.Length == 0 || n == 0 ? 0 : n / shape[^1];
            _row = 0;
        }

        /// <summary>Offset (in elements) of the next row's first element; false after the last row.</summary>
        public bool Next(out long offset)
        {
            offset = 0;
            if (_row >= Rows) return false;
            int rank = _shape.Length;
            for (int d = 0; d < rank - 1; d++) offset += _idx[d] * _strides[d];
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++_idx[d] < _shape[d]) break;
                _idx[d] = 0;
            }
            _row++;
            return true;
        }
    }

    /// <summary>Copies the view (shape, strides in elements) at <paramref name="src"/> densely to <paramref name="dst"/>.</summary>
    public static void ToContiguous(byte* src, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, byte* dst, int elemSize)
    {
        if (shape.Length == 0) { Buffer.MemoryCopy(src, dst, elemSize, elemSize); return; }
        int inner = shape[^1];
        long stride = strides[^1];
        var rows = new RowWalker(shape, strides, stackalloc int[shape.Length]);
        for (long r = 0; rows.Next(out long off); r++)
            MoveRow(src + off * elemSize, stride, dst + r * inner * elemSize, 1, inner, elemSize);
    }

    /// <summary>Scatters a dense buffer into the strided view at <paramref name="dst"/> (assignment into a slice).</summary>
    public static void FromContiguous(byte* src, byte* dst, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, int elemSize)
    {
        if (shape.Length == 0) { Buffer.MemoryCopy(src, dst, elemSize, elemSize); return; }
        int inner = shape[^1];
        long stride = strides[^1];
        var rows = new RowWalker(shape, strides, stackalloc int[shape.Length]);
        for (long r = 0; rows.Next(out long off); r++)
            MoveRow(src + r * inner * elemSize, 1, dst + off * elemSize, stride, inner, elemSize);
    }

    /// <summary>Adds a dense f32 buffer into a strided f32 view (used by backward of views).</summary>
    public static void AddIntoStrided(float* src, float* dst, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        if (shape.Length == 0) { dst[0] += src[0]; return; }
        int inner = shape[^1];
        long stride = strides[^1];
        var rows = new RowWalker(shape, strides, stackalloc int[shape.Length]);
        for (long r = 0; rows.Next(out long off); r++)
        {
            float* o = dst + off, s = src + r * inner;
            if (stride == 1) System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(o, inner), new ReadOnlySpan<float>(s, inner), new Span<float>(o, inner));
            else for (int j = 0; j < inner; j++) o[j * stride] += s[j];
        }
    }

    private static void MoveRow(byte* s, long sStride, byte* d, long dStride, int n, int elemSize)
    {
        if (sStride == 1 && dStride == 1) { Buffer.MemoryCopy(s, d, (long)n * elemSize, (long)n * elemSize); return; }
        if (elemSize == 4) { int* si = (int*)s, di = (int*)d; for (int j = 0; j < n; j++) di[j * dStride] = si[j * sStride]; }
        else { short* si = (short*)s, di = (short*)d; for (int j = 0; j < n; j++) di[j * dStride] = si[j * sStride]; }
    }
}
