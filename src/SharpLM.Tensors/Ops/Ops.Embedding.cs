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
        var ix = indices.IsContiguous ? indices : indices.To(DType.I32);
        int v = weight.Shape[0], dim = weight.Shape[1];
        long n = indices.Numel;
        int* ip = ix.I32Pointer;
        for (long i = 0; i < n; i++)
            if ((uint)ip[i] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Embedding: index {ip[i]} at position {i} is outside the vocabulary [0, {v}).");
        var o = Tensor.Alloc(indices.Shape.ToArray().Append(dim).ToArray(), DType.F32);
        float* wp = w.F32Pointer, op = o.F32Pointer;
        for (long i = 0; i < n; i++) Buffer.MemoryCopy(wp + (long)ip[i] * dim, op + i * dim, dim * 4L, dim * 4L);
        var wShape = weight.Shape.ToArray();
        return GradRecorder.Record(o, "embedding", weight, g =>
        {
            var gd = g.DenseF32("Embedding backward");
            var dw = Tensor.Zeros(wShape);
            float* gp = gd.F32Pointer, dp = dw.F32Pointer;
            for (long i = 0; i < n; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<float>(dp + (long)ip[i] * dim, dim), new ReadOnlySpan<float>(gp + i * dim, dim), new Span<float>(dp + (long)ip[i] * dim, dim));
            return [dw];
        });
    }
}
