// SafetensorsWriterExtensions: the SharpLM tensor side of the safetensors writer (SharpLM.Formats). A tensor
// becomes an entry with its safetensors dtype name, shape and a callback that copies its (contiguous) bytes at
// write time; SafetensorsWriter.Write and ShardedCheckpoint.Write keep their tensor signatures as static
// extension members, so callers read as before while the container logic lives in Formats.
using SharpLM.Formats.Safetensors;
using SharpLM.Tensors;

namespace SharpLM.Models.Formats.Safetensors;

/// <summary>Tensor overloads of <see cref="SafetensorsWriter"/> and <see cref="ShardedCheckpoint"/>.</summary>
public static class SafetensorsWriterExtensions
{
    extension(SafetensorsWriter)
    {
        /// <summary>The safetensors dtype name of a SharpLM dtype.</summary>
        public static string DTypeName(DType t) => t switch
        {
            DType.F32 => "F32", DType.F16 => "F16", DType.BF16 => "BF16", DType.I32 => "I32",
            _ => throw new ArgumentOutOfRangeException(nameof(t), t, "no safetensors name"),
        };

        /// <summary>Writes <paramref name="tensors"/> (F32, F16, BF16, I32; unique names) and optional string metadata to <paramref name="path"/>.</summary>
        public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
            Writer(tensors, metadata).Write(path);
    }

    extension(ShardedCheckpoint)
    {
        /// <summary>Writes <paramref name="tensors"/> to <paramref name="folder"/>: one <c>model.safetensors</c> when they fit in
        /// <paramref name="maxShardBytes"/>, otherwise <c>model-0000i-of-0000n.safetensors</c> shards and the index. Returns the files written.</summary>
        public static IReadOnlyList<string> Write(string folder, IEnumerable<KeyValuePair<string, Tensor>> tensors, long maxShardBytes = 5L << 30,
            IReadOnlyDictionary<string, string>? metadata = null) =>
            Writer(tensors, metadata).WriteSharded(folder, maxShardBytes);
    }

    /// <summary>Adds <paramref name="tensor"/> (F32, F16, BF16, I32); its bytes are copied when the file is written.</summary>
    public static SafetensorsWriter AddTensor(this SafetensorsWriter w, string name, Tensor tensor) =>
        w.Add(name, SafetensorsWriter.DTypeName(tensor.DType), tensor.Shape.ToArray(), tensor.Numel * tensor.DType.SizeOf(), s => CopyBytes(tensor, s));

    private static SafetensorsWriter Writer(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var w = new SafetensorsWriter { Metadata = metadata };
        foreach (var (name, t) in tensors) w.AddTensor(name, t);
        return w;
    }

    private static unsafe void CopyBytes(Tensor t, Stream s)
    {
        var dense = t.IsContiguous ? t : t.Contiguous();
        try
        {
            long bytes = t.Numel * t.DType.SizeOf();
            for (long o = 0; o < bytes; o += 1 << 30)
                s.Write(new ReadOnlySpan<byte>((byte*)dense.RawPointer + o, (int)Math.Min(1 << 30, bytes - o)));
        }
        finally { if (!ReferenceEquals(dense, t)) dense.Dispose(); }
    }
}
