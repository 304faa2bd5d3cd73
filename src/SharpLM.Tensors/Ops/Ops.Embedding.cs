// Embedding lookup: rows of a [V, D] table gathered by i32 indices; backward scatter-adds the output
// gradient into the rows that were read (repeated indices accumulate).
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
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
        Backend.Current.EmbeddingGather(w, idx, o);
        var wShape = weight.Shape.ToArray();
        return GradRecorder.Record(o, "embedding", weight, g =>
        {
            var gd = g.DenseF32("Embedding backward");
            var dw = Tensor.Zeros(wShape);
            Backend.Current.EmbeddingScatterAdd(gd, idx, dw);
            return [dw];
        });
    }
}
