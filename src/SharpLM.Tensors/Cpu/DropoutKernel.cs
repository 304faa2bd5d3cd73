// DropoutKernel: inverted dropout over a dense buffer (moved unchanged from Ops); the keep decision is a
// counter hash of (seed, index), so forward and backward regenerate the same mask.
using SharpLM.Tensors.Rng;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class DropoutKernel
{
    public static void Apply(float* x, float* y, long n, float p, ulong seed)
    {
        float scale = 1f / (1f - p);
        for (long i = 0; i < n; i++) y[i] = CounterHash.Uniform(seed, (ulong)i) >= p ? x[i] * scale : 0f;
    }
}
