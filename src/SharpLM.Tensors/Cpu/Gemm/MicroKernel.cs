// MicroKernel: the contract every register-blocked GEMM micro-kernel implements.
// A kernel computes one MR x NR tile of C from a packed A micro-panel ([kc][MR], MR contiguous per k)
// and a packed B micro-panel ([kc][NR], NR contiguous per k). The driver is generic over a struct
// implementing this interface so the JIT specialises and inlines the whole blocked loop per ISA.
namespace SharpLM.Tensors.Cpu.Gemm;

internal unsafe interface IMicroKernel
{
    /// <summary>Rows of C per tile (broadcast operand, from packed A).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per tile (vector operand, from packed B).</summary>
    static abstract int NR { get; }

    /// <summary>
    /// tile = Σ_p ap[p*MR + i] * bp[p*NR + j]; then C = (load ? C + tile : tile) for the full MR x NR tile.
    /// The sum is always formed from zero in fixed p order, so results never depend on tiling or threads.
    /// </summary>
    static abstract void Run(int kc, float* ap, float* bp, float* c, int ldc, bool load);
}
