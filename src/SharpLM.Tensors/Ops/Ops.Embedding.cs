// Embedding lookup: rows of a [V, D] table gathered by i32 indices; backward scatter-adds the output
// gradient into the rows that were read (repeated indices accumulate).
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

public static unsafe partial class Ops
{
    /// <summary>weight[indices]: weight [V, D], indices i32 [...] → [..., D].</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Embedding: weight must be [vocab, dim], got {ShapeUtil.Format(weight.Shape)}.");
        if (indices.DType != DType.I32) throw indices.DTypeError("Embedding indices", DType.I32);
        var w = weight.DenseF32("Embedding");
        // A managed copy of the indices: backward must not depend on the caller keeping the index tensor alive.
        var idx = indices.ToInt32Array();
        int v = weight.Shape[0], dim = weight.Shape[1];
        long n = idx.Length;
        for (long i = 0; i < n; i++)
            if ((uint)idx[i] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Embedding: index {idx[i]} at position {i} is outside the vocabulary [0, {v}).");
        var o = Tensor.Alloc(indices.Shape.ToArray().Append(dim).ToArray(), DType.F32);
        float* wp = w.F32Pointer, op = o.F32Pointer;
        for (long i = 0; i < n; i++) Buffer.MemoryCopy(wp + (long)idx[i] * dim, op + i * dim, dim * 4L, dim * 4L);
        var wShape = weight.Shape.ToArray();
        return GradRecorder.Record(o, "embedding", weight, g =>
        {
            var gd = g.DenseF32("Embedding backward");
            var dw = Tensor.Zeros(wShape);
            float* gp = gd.F32Pointer, dp = dw.F32Pointer;
            for (long i = 0; i < n; i++)
            {
                var row = new Span<float>(dp + (long)idx[i] * dim, dim);
                System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<float>(gp + i * dim, dim), row);
            }
            return [dw];
        });
    }
}
