// LlamaEngine: a GGUF-native LLaMA inference engine. Every 2-D weight stays in its stored type (F32, F16,
// BF16, Q8_0, Q4_0) inside the memory-mapped file; only the norm vectors are copied (to f32). q/k rows are
// in llama.cpp's interleaved-pairs RoPE layout, so RoPE runs in the pairs layout on the file's rows.
// Per block (llama.cpp llm_build_llama):
//   xn = rmsnorm(x)·attn_norm; q,k,v = xn·Wqᵀ, xn·Wkᵀ, xn·Wvᵀ; rope(q,k); cache ← k,v
//   x += attention(q, cache)·Woᵀ;  xn = rmsnorm(x)·ffn_norm;  x += (silu(xn·Wgᵀ) ∘ xn·Wuᵀ)·Wdᵀ
// then logits = rmsnorm(x_last)·output_norm · Wheadᵀ (output.weight, or the embedding when tied).
// Decode (one token) runs fused GEMV kernels (Matmul.Gemv); prefill (several tokens) runs GEMM
// (Matmul.Gemm) in chunks of at most MaxBatch tokens.
using System.Runtime.InteropServices;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Formats;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Inference.Engine;

/// <summary>LLaMA inference straight from a GGUF file's stored weights.</summary>
public sealed unsafe class LlamaEngine : ICausalLm, IDisposable
{
    /// <summary>Most tokens run through one prefill GEMM pass (longer prompts are split).</summary>
    public const int MaxBatch = 256;

    private sealed class Layer
    {
        public float* AttnNorm, FfnNorm;
        public WeightMatrix Q, K, V, O, Gate, Up, Down;
    }

    private readonly GgufFile _file;
    private readonly bool _ownsFile;
    private readonly Layer[] _layers;
    private readonly WeightMatrix _embed, _head;
    private readonly float* _outNorm;
    private readonly KvCacheF32 _cache;
    private readonly Matmul _matmul = new();
    private readonly QuantizedActivations? _qDim, _qFfn;
    private readonly float[] _cos, _sin;
    private readonly List<nint> _allocations = [];
    private float* _x, _xn, _q, _k, _v, _att, _tmp, _gate, _up;
    private int _length;
    private bool _disposed;

    /// <summary>Model hyper-parameters read from the GGUF metadata.</summary>
    public DecoderConfig Config { get; }

    public int VocabSize => Config.VocabSize;

    public int ContextLength { get; }

    /// <summary>Positions currently held by the KV cache.</summary>
    public int CachedTokens => _length;

    /// <summary>Weight type of the attention q projection of block 0 (a summary of the file's type).</summary>
    public GgmlType WeightType => _layers[0].Q.Type;

    /// <summary>Bytes of 2-D weights one decode step streams (all blocks plus the LM head).</summary>
    public long WeightBytesPerToken { get; }

    /// <summary>Opens <paramref name="path"/>; <paramref name="contextLength"/> caps the KV cache (default: the model's context).</summary>
    public static LlamaEngine Open(string path, int? contextLength = null)
    {
        var f = GgufFile.Open(path);
        try { return new LlamaEngine(f, ownsFile: true, contextLength); }
        catch { f.Dispose(); throw; }
    }

    public LlamaEngine(GgufFile file, bool ownsFile = false, int? contextLength = null)
    {
        _file = file; _ownsFile = ownsFile;
        var arch = file.TryGet(GgufKeys.GeneralArchitecture)?.AsString() ?? "llama";
        if (arch != "llama")
            throw new NotSupportedException($"LlamaEngine: {file.Path} is a '{arch}' model; only 'llama' is supported.");
        Config = ModelFile.ConfigFromGguf(file);
        var c = Config;
        ContextLength = Math.Min(contextLength ?? c.MaxPositions, c.MaxPositions);
        if (ContextLength < 1) throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "LlamaEngine: the context length must be at least 1.");
        int hd = c.HeadDim, kvDim = c.KvHeads * hd;
        _embed = Weight("token_embd.weight", c.VocabSize, c.Dim);
        _head = file.TryGetTensor("output.weight") is null ? _embed : Weight("output.weight", c.VocabSize, c.Dim);
        _outNorm = Vector("output_norm.weight", c.Dim);
        _layers = new Layer[c.Layers];
        long bytes = _head.RowBytes * _head.Rows;
        for (int i = 0; i < c.Layers; i++)
        {
            var l = _layers[i] = new Layer
            {
                AttnNorm = Vector($"blk.{i}.attn_norm.weight", c.Dim),
                FfnNorm = Vector($"blk.{i}.ffn_norm.weight", c.Dim),
                Q = Weight($"blk.{i}.attn_q.weight", c.Dim, c.Dim),
                K = Weight($"blk.{i}.attn_k.weight", kvDim, c.Dim),
                V = Weight($"blk.{i}.attn_v.weight", kvDim, c.Dim),
                O = Weight($"blk.{i}.attn_output.weight", c.Dim, c.Dim),
                Gate = Weight($"blk.{i}.ffn_gate.weight", c.FfnDim, c.Dim),
                Up = Weight($"blk.{i}.ffn_up.weight", c.FfnDim, c.Dim),
                Down = Weight($"blk.{i}.ffn_down.weight", c.Dim, c.FfnDim),
            };
            foreach (var w in new[] { l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down }) bytes += w.RowBytes * w.Rows;
        }
        WeightBytesPerToken = bytes;
        _cache = new KvCacheF32(c.Layers, c.KvHeads, ContextLength, hd);
        (_cos, _sin) = EngineOps.RopeTable(ContextLength, hd, c.RopeTheta);
        // Quantised weights need 32-aligned rows, so activations are quantised only for such widths.
        _qDim = c.Dim % 32 == 0 ? new QuantizedActivations(c.Dim, 1) : null;
        _qFfn = c.FfnDim % 32 == 0 ? new QuantizedActivations(c.FfnDim, 1) : null;
        int b = MaxBatch;
        _x = Alloc((long)b * c.Dim); _xn = Alloc((long)b * c.Dim); _q = Alloc((long)b * c.Dim);
        _k = Alloc((long)b * kvDim); _v = Alloc((long)b * kvDim); _att = Alloc((long)b * c.Dim); _tmp = Alloc((long)b * c.Dim);
        _gate = Alloc((long)b * c.FfnDim); _up = Alloc((long)b * c.FfnDim);
    }

    private WeightMatrix Weight(string name, int rows, int cols)
    {
        var t = _file.TryGetTensor(name) ?? throw new ModelFormatException(_file.Path, name, "missing tensor");
        if (t.Shape.Length != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
            throw new ModelFormatException(_file.Path, name, $"expected shape [{rows}, {cols}], found [{string.Join(", ", t.Shape)}]");
        if (!WeightMatrix.IsSupported(t.Type))
            throw new ModelFormatException(_file.Path, name, $"weight type {t.Type} is not supported by LlamaEngine (supported: F32, F16, BF16, Q8_0, Q4_0)");
        return WeightMatrix.From(t);
    }

    private float* Vector(string name, int n)
    {
        var t = _file.TryGetTensor(name) ?? throw new ModelFormatException(_file.Path, name, "missing tensor");
        if (t.Numel != n) throw new ModelFormatException(_file.Path, name, $"expected {n} values, found {t.Numel}");
        float* p = Alloc(n);
        GgmlQuant.Dequantize(t.Type, t.Data, new Span<float>(p, n));
        return p;
    }

    private float* Alloc(long floats)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, floats) * sizeof(float)), 64);
        _allocations.Add((nint)p);
        return p;
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.Length == 0) throw new ArgumentException("LlamaEngine.Forward: no tokens.", nameof(tokens));
        if (position < 0 || position > _length)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"LlamaEngine.Forward: position must be in [0, {_length}] (the cached length).");
        if (position + tokens.Length > ContextLength)
            throw new InvalidOperationException($"LlamaEngine: positions {position}..{position + tokens.Length - 1} exceed the context length {ContextLength}.");
        if (lastLogits.Length < VocabSize)
            throw new ArgumentException($"LlamaEngine.Forward: the logits buffer holds {lastLogits.Length} values, the vocabulary has {VocabSize}.", nameof(lastLogits));
        foreach (int id in tokens)
            if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), id, $"LlamaEngine.Forward: token {id} is outside the vocabulary [0, {VocabSize}).");
        _length = position;
        for (int s = 0; s < tokens.Length; s += MaxBatch)
        {
            int n = Math.Min(MaxBatch, tokens.Length - s);
            Chunk(tokens.Slice(s, n), position + s);
            _length = position + s + n;
        }
        var c = Config;
        int last = Math.Min(MaxBatch, tokens.Length - (tokens.Length - 1) / MaxBatch * MaxBatch) - 1;
        EngineOps.RmsNorm(_x + (long)last * c.Dim, _outNorm, _xn, 1, c.Dim, c.NormEps);
        fixed (float* logits = lastLogits)
        {
            QRow q = default;
            if (_head.IsQuantized) { _qDim!.Quantize(_xn, 1); q = _qDim.Row(0); }
            Matmul.Gemv(_xn, q, _head, logits);
        }
    }

    /// <summary>Runs at most MaxBatch tokens at <paramref name="pos"/>; leaves the residual stream in _x.</summary>
    private void Chunk(ReadOnlySpan<int> tokens, int pos)
    {
        var c = Config;
        int t = tokens.Length, dim = c.Dim, hd = c.HeadDim, kvDim = c.KvHeads * hd;
        for (int i = 0; i < t; i++) Dequant.Row(_embed, tokens[i], _x + (long)i * dim);       // x (T, C)
        fixed (float* cos = _cos, sin = _sin)
            for (int li = 0; li < _layers.Length; li++)
            {
                var l = _layers[li];
                EngineOps.RmsNorm(_x, l.AttnNorm, _xn, t, dim, c.NormEps);
                Project3(_xn, t, l.Q, _q, l.K, _k, l.V, _v);                                    // q (T, C), k/v (T, kvDim)
                EngineOps.RopePairs(_q, t, c.Heads, hd, pos, cos, sin);
                EngineOps.RopePairs(_k, t, c.KvHeads, hd, pos, cos, sin);
                _cache.Store(li, pos, t, _k, _v);
                CachedAttention.Run(_q, _att, t, c.Heads, c.KvHeads, hd, pos, _cache.K(li, 0), _cache.V(li, 0), (long)ContextLength * hd);
                Project1(_att, t, l.O, _tmp, _qDim);
                EngineOps.Add(_x, _tmp, (long)t * dim);
                EngineOps.RmsNorm(_x, l.FfnNorm, _xn, t, dim, c.NormEps);
                Project3(_xn, t, l.Gate, _gate, l.Up, _up, default, null);                     // (T, F)
                EngineOps.SwiGlu(_gate, _up, (long)t * c.FfnDim);
                Project1(_gate, t, l.Down, _tmp, _qFfn);
                EngineOps.Add(_x, _tmp, (long)t * dim);
            }
    }

    /// <summary>y_i = x·W_iᵀ for two or three matrices sharing the input x (T rows).</summary>
    private void Project3(float* x, int t, in WeightMatrix a, float* ya, in WeightMatrix b, float* yb, in WeightMatrix c, float* yc)
    {
        if (t == 1)
        {
            QRow q = default;
            if (a.IsQuantized || b.IsQuantized || (yc != null && c.IsQuantized)) { _qDim!.Quantize(x, 1); q = _qDim.Row(0); }
            Matmul.Gemv(x, q, a, ya, b, yb, c, yc);
            return;
        }
        var xq = QuantizeForGemm(x, t, _qDim, a.IsQuantized || b.IsQuantized || (yc != null && c.IsQuantized));
        _matmul.Gemm(x, t, a, ya, a.Rows, xq);
        _matmul.Gemm(x, t, b, yb, b.Rows, xq);
        if (yc != null) _matmul.Gemm(x, t, c, yc, c.Rows, xq);
    }

    private void Project1(float* x, int t, in WeightMatrix w, float* y, QuantizedActivations? qa)
    {
        if (t == 1)
        {
            QRow q = default;
            if (w.IsQuantized) { qa!.Quantize(x, 1); q = qa.Row(0); }
            Matmul.Gemv(x, q, w, y);
            return;
        }
        _matmul.Gemm(x, t, w, y, w.Rows, QuantizeForGemm(x, t, qa, w.IsQuantized));
    }

    /// <summary>Quantises the T rows of x once for every quantised weight that reads them (null when none does).</summary>
    private static QuantizedActivations? QuantizeForGemm(float* x, int t, QuantizedActivations? qa, bool needed)
    {
        if (!needed || qa is null || !QuantGemm.Supported || t > QuantGemm.MaxTokens) return null;
        qa.Quantize(x, t);
        return qa;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var p in _allocations) NativeMemory.AlignedFree((void*)p);
        _allocations.Clear();
        _cache.Dispose(); _matmul.Dispose(); _qDim?.Dispose(); _qFfn?.Dispose();
        if (_ownsFile) _file.Dispose();
    }
}
