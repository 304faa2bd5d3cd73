// MemoryEstimate: bytes needed for weights, gradients and Adam states — the book's arithmetic: 1B
// parameters take 4 GB in fp32; full fine-tuning with fp32 Adam takes 16 bytes per parameter (weights 4 +
// gradients 4 + first and second moments 8); mixed precision keeps bf16 weights and gradients plus an fp32
// master copy (2 + 2 + 4 + 8 = 16). LoRA freezes the base (no gradients or Adam states for it) and trains
// rank·(in + out) parameters per adapted matrix. Activations are not included.
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Memory;

/// <summary>One line of the memory table.</summary>
public sealed record MemoryLine(string Setting, long TrainableParameters, long WeightBytes, long GradientBytes, long OptimizerBytes)
{
    public long TotalBytes => WeightBytes + GradientBytes + OptimizerBytes;
}

/// <summary>Memory needed to hold and train a model.</summary>
public static class MemoryEstimate
{
    /// <summary>Parameters LoRA adds with rank <paramref name="rank"/> on the q and v projections of every layer.</summary>
    public static long LoraParameters(DecoderConfig c, int rank) => c.Layers * (long)rank * ((c.Dim + c.Dim) + (c.Dim + c.KvHeads * c.HeadDim));

    /// <summary>The standard table for a parameter count (and LoRA rank).</summary>
    public static IReadOnlyList<MemoryLine> Table(long parameters, long loraParameters)
    {
        return
        [
            new("inference fp32", 0, 4 * parameters, 0, 0),
            new("inference bf16", 0, 2 * parameters, 0, 0),
            new("full fine-tune fp32 + AdamW", parameters, 4 * parameters, 4 * parameters, 8 * parameters),
            new("full fine-tune bf16 mixed + AdamW", parameters, 2 * parameters + 4 * parameters, 2 * parameters, 8 * parameters),
            new("LoRA, base fp32", loraParameters, 4 * (parameters + loraParameters), 4 * loraParameters, 8 * loraParameters),
            new("LoRA, base bf16", loraParameters, 2 * parameters + 4 * loraParameters, 4 * loraParameters, 8 * loraParameters),
        ];
    }

    /// <summary>"6.74 GB" style (10⁹ bytes, as model cards quote).</summary>
    public static string Format(long bytes) => bytes >= 1_000_000_000 ? $"{bytes / 1e9:F2} GB" : bytes >= 1_000_000 ? $"{bytes / 1e6:F1} MB" : $"{bytes / 1e3:F1} kB";
}
