// EngineProfile: where a forward pass's time goes, by part (projections, attention over the cache, RoPE and cache
// stores, norms and residual adds, the LM head). Off unless SHARPLM_PROFILE=1 is set when the process starts: the
// flag is a static readonly bool, so the JIT drops every probe when it is off. `sharplm-bench decode-profile` prints it.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SharpLM.Inference.Engine;

internal static class EngineProfile
{
    /// <summary>The parts a pass is split into.</summary>
    public enum Part { Embed, Norm, Qkv, RopeStore, Attention, AttnOut, GateUp, Down, Residual, Head }

    public static readonly bool Enabled = Environment.GetEnvironmentVariable("SHARPLM_PROFILE") == "1";

    /// <summary>Stopwatch ticks spent per part since the last <see cref="Reset"/>.</summary>
    public static readonly long[] Ticks = new long[Enum.GetValues<Part>().Length];

    public static void Reset() => Array.Clear(Ticks);

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="part"/> and returns now (the next part's start).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Mark(Part part, long since)
    {
        if (!Enabled) return 0;
        long now = Stopwatch.GetTimestamp();
        Ticks[(int)part] += now - since;
        return now;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Now() => Enabled ? Stopwatch.GetTimestamp() : 0;
}
