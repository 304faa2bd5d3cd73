// CounterHash: stateless, counter-based random numbers (a SplitMix64 finaliser over seed and index), so a
// dropout mask can be regenerated in backward instead of stored, and does not depend on thread count.
namespace SharpLM.Tensors.Rng;

/// <summary>Counter-based uniform random numbers: u = f(seed, index).</summary>
public static class CounterHash
{
    /// <summary>Uniform in [0, 1) for element <paramref name="index"/> of stream <paramref name="seed"/>.</summary>
    public static float Uniform(ulong seed, ulong index)
    {
        ulong z = seed * 0xD1342543DE82EF95UL + index * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1.0f / (1 << 24));
    }
}
