// DType: element types a tensor can hold. F32 is the compute type; F16/BF16 are storage types for weights
// and activations that are converted on the way in and out; I32 holds indices, targets, positions and masks.
namespace SharpLM.Tensors;

/// <summary>Element type of a tensor.</summary>
public enum DType
{
    /// <summary>IEEE-754 binary32, the compute type of every CPU kernel.</summary>
    F32,
    /// <summary>IEEE-754 binary16.</summary>
    F16,
    /// <summary>bfloat16: the top 16 bits of a binary32, rounded to nearest-even on conversion.</summary>
    BF16,
    /// <summary>32-bit signed integer (indices, targets, positions, masks).</summary>
    I32,
}

/// <summary>Sizes and names of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType t) => t switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown dtype"),
    };

    /// <summary>The lower-case name PyTorch and safetensors users expect (f32, f16, bf16, i32).</summary>
    public static string Name(this DType t) => t switch
    {
        DType.F32 => "f32", DType.F16 => "f16", DType.BF16 => "bf16", DType.I32 => "i32", _ => t.ToString(),
    };
}
