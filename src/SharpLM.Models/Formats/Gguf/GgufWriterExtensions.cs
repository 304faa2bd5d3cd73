// GgufWriterExtensions: adds a SharpLM tensor to a GgufWriter (SharpLM.Formats), converted or quantised to
// the requested ggml type by the quant codecs; the container itself only ever sees encoded bytes.
using SharpLM.Formats.Gguf;
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>Tensor overloads of <see cref="GgufWriter"/>.</summary>
public static class GgufWriterExtensions
{
    /// <summary>Adds <paramref name="tensor"/> stored as <paramref name="type"/> (converted or quantised as needed;
    /// F32/F16/BF16 tensors stored in their own type are copied bit for bit).</summary>
    public static unsafe GgufWriter AddTensor(this GgufWriter w, string name, Tensor tensor, GgmlType type)
    {
        if (tensor.Rank is 0 or > 4) throw new ArgumentException($"GgufWriter.AddTensor: '{name}' has rank {tensor.Rank} (expected 1..4 dims).");
        int inner = tensor.Shape[^1];
        if (inner % type.BlockSize() != 0)
            throw new ArgumentException($"GgufWriter.AddTensor: '{name}' rows of {inner} values are not a multiple of the {type} block size {type.BlockSize()}.");
        var data = new byte[type.ByteSize(tensor.Numel)];
        bool sameType = (type, tensor.DType) is (GgmlType.F32, DType.F32) or (GgmlType.F16, DType.F16) or (GgmlType.BF16, DType.BF16) or (GgmlType.I32, DType.I32);
        if (sameType)
        {
            var src = tensor.IsContiguous ? tensor : tensor.Contiguous();
            try { fixed (byte* d = data) Buffer.MemoryCopy(src.RawPointer, d, data.Length, data.Length); }
            finally { if (!ReferenceEquals(src, tensor)) src.Dispose(); }
        }
        else
        {
            GgmlQuant.Quantize(type, tensor.ToArray(), data);
        }
        return w.AddTensorBytes(name, type, tensor.Shape.ToArray(), data);
    }
}
