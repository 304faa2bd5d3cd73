// GemmScratch: per-thread, 64-byte-aligned packing buffers, allocated once per thread on first use
// (NativeMemory.AlignedAlloc) and reused for every later call, so steady-state GEMMs allocate nothing.
// Sizes are fixed by the blocking constants, so a buffer never needs to grow.
using System.Runtime.InteropServices;

namespace SharpLM.Tensors.Cpu.Gemm;

internal static unsafe class GemmScratch
{
    /// <summary>Largest k block packed at once.</summary>
    public const int KC = 256;
    /// <summary>Largest n extent of a tile (packed B block KC x NC = 512 KiB, sized for a 1 MiB L2).</summary>
    public const int NC = 512;
    /// <summary>Room for one packed A micro-panel of any kernel (MR <= 16).</summary>
    private const int APanelFloats = 16 * KC;
    /// <summary>Room for one edge tile of any kernel (MR x NR <= 16 x 32).</summary>
    private const int TileFloats = 16 * 32;

    [ThreadStatic] private static float* t_base;

    /// <summary>This thread's buffers: packed B block, packed A micro-panel, edge tile.</summary>
    public static void Get(out float* packB, out float* packA, out float* tile)
    {
        float* p = t_base;
        if (p == null)
        {
            nuint bytes = (nuint)(NC * KC + APanelFloats + TileFloats) * sizeof(float);
            p = (float*)NativeMemory.AlignedAlloc(bytes, 64);
            NativeMemory.Clear(p, bytes);
            t_base = p;
        }
        packB = p;
        packA = p + NC * KC;
        tile = packA + APanelFloats;
    }
}
