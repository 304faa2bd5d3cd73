// Device and the op selectors of the backend seam: where a tensor's memory lives, and which elementwise
// function a unary or binary kernel applies. They sit here, not in Cpu/, because every backend shares them.
namespace SharpLM.Tensors.Backends;

/// <summary>Where a tensor's storage lives. Only the CPU exists today; a GPU device joins with its backend.</summary>
public enum Device
{
    /// <summary>Host memory (pooled, 64-byte aligned).</summary>
    Cpu,
}

/// <summary>Elementwise binary functions (with broadcasting).</summary>
public enum BinaryOp { Add, Sub, Mul, Div }

/// <summary>Elementwise unary functions; <c>Pow</c> takes its exponent as the kernel's scalar parameter.</summary>
public enum UnaryOp { Neg, Exp, Log, Sqrt, Rsqrt, Pow, Tanh, Sigmoid, Relu, Silu, GeluTanh, GeluErf }

/// <summary>Sizes and options of one fused attention call (q [B, Hq, Tq, D], k/v [B, Hkv, Tk, D]).</summary>
public readonly record struct AttentionShape(int Batch, int QHeads, int KvHeads, int Tq, int Tk, int HeadDim,
    float Scale, bool Causal, float DropoutP, ulong Seed);
