// SyntheticKQuant: GGUF files with K-quant weights for tests and benchmarks. SharpLM reads K-quants but does
// not quantise to them, so these files carry random super-blocks: every bit pattern is a valid block, and only
// the fp16 scale fields are set so the decoded weights stay around ±0.05 (a trained model's range). llama.cpp
// loads such files like any other, which is what the decode benchmark needs.
using System.Buffers.Binary;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>Random K-quant blocks and GGUF copies whose 2-D weights are replaced by them.</summary>
public static class SyntheticKQuant
{
    /// <summary>Random Q4_K/Q5_K/Q6_K super-blocks for <paramref name="numel"/> values.</summary>
    public static byte[] Blocks(GgmlType type, long numel, Random rng)
    {
        if (type is not (GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K))
            throw new ArgumentException($"SyntheticKQuant: {type} is not Q4_K, Q5_K or Q6_K.", nameof(type));
        var data = new byte[type.ByteSize(numel)];
        rng.NextBytes(data);
        int size = type.TypeSize();
        for (int o = 0; o < data.Length; o += size)
            if (type == GgmlType.Q6_K) BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(o + 208), (Half)1.2e-5f); // d · |scale ≤ 127| · |q − 32 ≤ 32|
            else
            {
                BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(o), (Half)(type == GgmlType.Q4_K ? 1.1e-4f : 5e-5f)); // d · scale ≤ 63 · q
                BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(o + 2), (Half)7e-4f);                                   // dmin · min ≤ 63
            }
        return data;
    }

    /// <summary>
    /// Copies <paramref name="source"/> (metadata and tensors) to <paramref name="target"/>, storing each 2-D
    /// tensor as <paramref name="typeOf"/>(tensor) — random blocks when that is a K-quant, the original bytes otherwise.
    /// </summary>
    public static void Rewrite(string source, string target, Func<GgufTensor, GgmlType> typeOf, int seed)
    {
        using var src = GgufFile.Open(source);
        var w = new GgufWriter();
        foreach (var key in src.Keys) w.Add(key, src.Metadata[key]);
        var rng = new Random(seed);
        foreach (var t in src.Tensors)
        {
            var type = t.Shape.Length == 2 ? typeOf(t) : t.Type;
            w.AddTensorBytes(t.Name, type, t.Shape, type == t.Type ? t.Data.ToArray() : Blocks(type, t.Numel, rng));
        }
        w.Write(target);
    }
}
