// EngineWeights: everything the inference engine reads, in a family-neutral form — per block the norm
// vectors (and LayerNorm biases), the projection matrices in their stored type (q/k/v possibly row views
// of one fused matrix) with optional biases, the embedding, learned position table, final norm and head.
// Built from a GGUF file (GgufEngineWeights: weights stay in the memory map) or from a DecoderModel's
// parameters in memory (ModelEngineWeights: copied once to f32). The engine runs whatever DecoderConfig the
// weights carry, so every switch of the config (bias, LayerNorm, GELU, learned/ALiBi/rotary positions, tied
// head, qkv bias) has one meaning in both executors.
using System.Runtime.InteropServices;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Engine;

/// <summary>One block's weights; a bias pointer is null when the config has no such bias.</summary>
internal sealed unsafe class EngineLayer
{
    public float* AttnNorm, AttnNormBias, FfnNorm, FfnNormBias;
    public WeightMatrix Q, K, V, O, Gate, Up, Down;
    public float* BiasQ, BiasK, BiasV, BiasO, BiasGate, BiasUp, BiasDown;
    /// <summary>Per-head q/k RMSNorm weights [HeadDim] (Qwen3), or null.</summary>
    public float* QNorm, KNorm;
}

/// <summary>The weights of one model for the engine, with the memory they own.</summary>
internal sealed unsafe class EngineWeights : IDisposable
{
    private readonly List<nint> _allocations = [];
    private readonly IDisposable? _owner;

    public EngineWeights(DecoderConfig config, string source, bool ropePairs, IDisposable? owner)
    {
        Config = config; Source = source; RopePairs = ropePairs; _owner = owner;
        Layers = new EngineLayer[config.Layers];
        for (int i = 0; i < Layers.Length; i++) Layers[i] = new EngineLayer();
    }

    public DecoderConfig Config { get; }
    /// <summary>File or description named in errors.</summary>
    public string Source { get; }
    /// <summary>q/k rows are in llama.cpp's interleaved-pairs RoPE layout (GGUF); otherwise HF's halves layout.</summary>
    public bool RopePairs { get; }
    public EngineLayer[] Layers { get; }
    public WeightMatrix Embed, Head;
    /// <summary>[MaxPositions, Dim] learned positions, or null.</summary>
    public float* PositionEmbed;
    public float* OutNorm, OutNormBias;

    /// <summary>64-byte aligned memory freed with the weights.</summary>
    public float* Alloc(long floats) => (float*)AllocBytes(floats * sizeof(float));

    public void* AllocBytes(long bytes)
    {
        var p = NativeMemory.AlignedAlloc((nuint)Math.Max(1, bytes), 64);
        _allocations.Add((nint)p);
        return p;
    }

    /// <summary>A copy of <paramref name="values"/> in owned aligned memory.</summary>
    public float* Copy(ReadOnlySpan<float> values)
    {
        float* p = Alloc(values.Length);
        values.CopyTo(new Span<float>(p, values.Length));
        return p;
    }

    /// <summary>Frees the owned memory but leaves the owner (the GGUF file) open: for a load that failed half way.</summary>
    public void FreeMemory()
    {
        foreach (var p in _allocations) NativeMemory.AlignedFree((void*)p);
        _allocations.Clear();
    }

    public void Dispose()
    {
        FreeMemory();
        _owner?.Dispose();
    }
}
