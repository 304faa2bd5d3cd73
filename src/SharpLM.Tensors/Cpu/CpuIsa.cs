// CpuIsa: which vector instruction set the CPU kernels use, detected once at start-up — the one ISA dispatch
// of SharpLM: the tensor kernels and the inference engine both branch on these flags (static readonly, so the
// JIT folds them) to pick AVX-512, AVX2+FMA or a scalar path. SHARPLM_NO_AVX512=1 (or the runtime's
// DOTNET_EnableAVX512=0) sends every kernel to its AVX2 twin.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpLM.Tensors.Cpu;

/// <summary>The widest SIMD instruction set the CPU kernels will use on this machine.</summary>
public enum IsaLevel { Scalar, Avx2, Avx512 }

/// <summary>Run-time detection of the CPU's vector features.</summary>
public static class CpuIsa
{
    /// <summary>Set SHARPLM_NO_AVX512=1 to exercise the AVX2 paths on an AVX-512 machine.</summary>
    internal static readonly bool ForceNoAvx512 = Environment.GetEnvironmentVariable("SHARPLM_NO_AVX512") == "1";

    /// <summary>AVX-512F and BW with 512-bit vectors accelerated by the runtime, and not switched off.</summary>
    public static readonly bool HasAvx512 = Avx512F.IsSupported && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated && !ForceNoAvx512;

    /// <summary>AVX2 with FMA3.</summary>
    public static readonly bool HasAvx2Fma = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>The level the kernels dispatch to.</summary>
    public static IsaLevel Level => HasAvx512 ? IsaLevel.Avx512 : HasAvx2Fma ? IsaLevel.Avx2 : IsaLevel.Scalar;

    /// <summary>Human-readable feature list, e.g. "AVX-512 (F, BW, VNNI, BF16), AVX2, FMA".</summary>
    public static string Describe()
    {
        var parts = new List<string>();
        if (Avx512F.IsSupported)
        {
            var sub = new List<string> { "F" };
            if (Avx512BW.IsSupported) sub.Add("BW");
            if (Avx512Vbmi.IsSupported) sub.Add("VBMI");
            if (AvxVnni.IsSupported || Avx10v1.IsSupported) sub.Add("VNNI");
            parts.Add($"AVX-512 ({string.Join(", ", sub)})");
        }
        if (Avx2.IsSupported) parts.Add("AVX2");
        if (Fma.IsSupported) parts.Add("FMA");
        if (F16cSupported) parts.Add("F16C");
        return parts.Count == 0 ? "scalar" : string.Join(", ", parts);
    }

    private static bool F16cSupported => Avx2.IsSupported; // every AVX2 CPU we target has F16C
}
