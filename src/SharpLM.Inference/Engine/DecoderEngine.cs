// DecoderEngine (was LlamaEngine): the inference engine for every pre-norm decoder a DecoderConfig describes. Its weights
// (EngineWeights) come from a GGUF file — every 2-D weight stays in its stored type (F32, F16, BF16, Q8_0,
// Q4_0, K-quants) inside the memory map, q/k rows in llama.cpp's interleaved-pairs RoPE layout — or from a
// DecoderModel in memory (f32, HF halves layout). Per block (llama.cpp llm_build_llama / llm_build_gpt2):
//   xn = norm(x)·attn_norm (+b); q,k,v = xn·Wᵀ (+b); rope(q,k) | ALiBi bias; cache ← k,v
//   x += attention(q, cache)·Woᵀ (+b);  xn = norm(x)·ffn_norm (+b);
//   x += (silu(xn·Wgᵀ) ∘ xn·Wuᵀ)·Wdᵀ  or  act(xn·Wuᵀ + b)·Wdᵀ + b   (SwiGLU or GELU/ReLU MLP)
// with learned position rows added to the embedding when the config has them; then
// logits = norm(x)·output_norm · Wheadᵀ (the embedding when tied), for the last row of each chunk or every row.
// The engine holds MaxSequences sequence slots over one paged KV cache (PagedKvCache: fixed-size blocks, a block
// table per slot, prefix caching of full blocks; IPagedCausalLm exposes it to schedulers). ForwardBatch concatenates the tokens of several sequences
// (one chunk per slot) into one activation matrix, so each projection streams the weights once for all of
// them: one row runs fused GEMV kernels (Matmul.Gemv), several rows GEMM (Matmul.Gemm), in passes of at
// most MaxBatch rows. Only RoPE, the cache store and attention look at which sequence a row belongs to.
// Forward (ICausalLm) is the one-chunk case on slot 0. CopySlot forks a slot's cached prefix into another (beam search).
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors.Cpu;

namespace SharpLM.Inference.Engine;

/// <summary>LLaMA inference straight from a GGUF file's stored weights.</summary>
public sealed unsafe class DecoderEngine : IPagedCausalLm, IDisposable
{
    /// <summary>Most rows (tokens of all chunks) run through one GEMM pass (larger batches are split).</summary>
    public const int MaxBatch = 256;

    private readonly EngineWeights _w;
    private readonly EngineLayer[] _layers;
    private readonly WeightMatrix _embed, _head;
    private readonly float* _alibi;           // [Heads] ALiBi slopes, or null
    private readonly PagedKvCache _cache;     // all slots' blocks
    private readonly Matmul _matmul = new();
    private readonly QuantizedActivations? _qDim, _qFfn, _qAttn;   // _qAttn: the o projection's input (AttnDim wide; _qDim when AttnDim = Dim)
    private readonly float[] _cos, _sin;
    private float* _x, _xn, _q, _k, _v, _att, _tmp, _gate, _up;
    private float* _last, _lastNorm;          // [MaxSequences, C]: residual / normed last row of each chunk
    private int** _rowTable;                 // [MaxBatch]: the block table of the row's slot
    private int* _rowPos;                     // [MaxBatch]: the row's absolute position

    /// <summary>A chunk's rows [Row, Row + Count) inside one pass; EndsChunk = the chunk's index if its last token is here, else -1.</summary>
    private readonly record struct Segment(int Slot, int Position, int Row, int Count, int EndsChunk);
    private bool _disposed;

    /// <summary>Model hyper-parameters (from the GGUF metadata or the in-memory model).</summary>
    public DecoderConfig Config { get; }

    public int VocabSize => Config.VocabSize;

    public int ContextLength { get; }

    /// <summary>Element type of the KV cache (f32 exact; f16 as llama.cpp keeps it, half the memory).</summary>
    public KvCacheType KvType { get; }

    /// <summary>Number of KV-cache slots (sequences one ForwardBatch can run).</summary>
    public int MaxSequences { get; }

    /// <summary>Positions currently held by slot 0 (the slot <see cref="Forward"/> uses).</summary>
    public int CachedTokens => _cache.Length(0);

    /// <summary>Positions currently held by <paramref name="slot"/>.</summary>
    public int CachedTokensIn(int slot) => _cache.Length(CheckSlot(slot, nameof(slot)));

    /// <summary>Positions per KV-cache block.</summary>
    public const int BlockSize = 16;

    /// <inheritdoc/>
    public int KvBlockSize => _cache.BlockSize;

    /// <inheritdoc/>
    public int KvBlocksTotal => _cache.TotalBlocks;

    /// <inheritdoc/>
    public int KvBlocksUsed => _cache.UsedBlocks;

    /// <inheritdoc/>
    public int KvBlocksAvailable => _cache.AvailableBlocks;

    /// <inheritdoc/>
    public int KvBlocksHeld(int slot) => _cache.BlocksOf(CheckSlot(slot, nameof(slot)));

    /// <inheritdoc/>
    public int KvBlocksNeeded(int slot, int position, int count) => _cache.BlocksNeeded(CheckSlot(slot, nameof(slot)), position, count) - _cache.BlocksFreed(slot, position);

    /// <inheritdoc/>
    public int ReusePrefix(int slot, ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return tokens.Length == 0 ? 0 : _cache.AttachPrefix(CheckSlot(slot, nameof(slot)), tokens);
    }

    /// <inheritdoc/>
    public void ReleaseSlot(int slot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _cache.Release(CheckSlot(slot, nameof(slot)));
    }

    /// <summary>Weight type of the attention q projection of block 0 (a summary of the file's type).</summary>
    public GgmlType WeightType => _layers[0].Q.Type;

    /// <summary>Bytes of 2-D weights one decode step streams (all blocks plus the LM head).</summary>
    public long WeightBytesPerToken { get; }

    /// <summary>
    /// Opens <paramref name="path"/>; <paramref name="contextLength"/> caps each sequence (default: the model's
    /// training context, and capped at it unless <paramref name="beyondTrainingContext"/> — llama.cpp's <c>-c</c> larger
    /// than n_ctx_train; rotary and ALiBi models run on, learned position tables cannot); <paramref name="maxSequences"/>
    /// slots share one paged cache of <paramref name="kvBlocks"/> blocks of <see cref="BlockSize"/> positions (default:
    /// enough for every slot to hold a full context) with <paramref name="kvType"/> values.
    /// </summary>
    public static DecoderEngine Open(string path, int? contextLength = null, int maxSequences = 1, KvCacheType kvType = KvCacheType.F32, int? kvBlocks = null,
                                     bool beyondTrainingContext = false)
    {
        var f = GgufFile.Open(path);
        try { return new DecoderEngine(GgufEngineWeights.Load(f, ownsFile: true), contextLength, maxSequences, kvType, kvBlocks, beyondTrainingContext); }
        catch { f.Dispose(); throw; }
    }

    /// <summary>
    /// An engine over the parameters of <paramref name="model"/> (copied once; later changes to the model are
    /// not seen): the fast path for perplexity, eval scoring and rollouts of a model held in memory.
    /// </summary>
    public static DecoderEngine FromModel(DecoderModel model, int? contextLength = null, int maxSequences = 1, KvCacheType kvType = KvCacheType.F32, int? kvBlocks = null,
                                          bool beyondTrainingContext = false)
    {
        var w = ModelEngineWeights.From(model);
        try { return new DecoderEngine(w, contextLength, maxSequences, kvType, kvBlocks, beyondTrainingContext); }
        catch { w.Dispose(); throw; }
    }

    public DecoderEngine(GgufFile file, bool ownsFile = false, int? contextLength = null, int maxSequences = 1, KvCacheType kvType = KvCacheType.F32, int? kvBlocks = null)
        : this(GgufEngineWeights.Load(file, ownsFile), contextLength, maxSequences, kvType, kvBlocks) { }

    private DecoderEngine(EngineWeights weights, int? contextLength, int maxSequences, KvCacheType kvType, int? kvBlocks, bool beyondTrainingContext = false)
    {
        try
        {
            KvType = kvType;
            if (maxSequences < 1) throw new ArgumentOutOfRangeException(nameof(maxSequences), maxSequences, "DecoderEngine: maxSequences must be at least 1.");
            _w = weights;
            Config = weights.Config;
            var c = Config;
            if (!c.PreNorm) throw new NotSupportedException("DecoderEngine: post-norm decoders are not supported.");
            ContextLength = beyondTrainingContext ? contextLength ?? c.MaxPositions : Math.Min(contextLength ?? c.MaxPositions, c.MaxPositions);
            if (ContextLength < 1) throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "DecoderEngine: the context length must be at least 1.");
            if (ContextLength > c.MaxPositions && c.Positions == PositionKind.Learned)
                throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength,
                    $"DecoderEngine: a context of {ContextLength} needs more positions than the model's learned position table holds ({c.MaxPositions}).");
            int hd = c.HeadDim, kvDim = c.KvHeads * hd;
            _embed = weights.Embed;                      // the embedding itself is only row-looked-up
            _head = Packed(weights.Head);
            _layers = weights.Layers;
            long bytes = _head.RowBytes * _head.Rows;
            foreach (var l in _layers)
            {
                l.Q = Packed(l.Q); l.K = Packed(l.K); l.V = Packed(l.V); l.O = Packed(l.O);
                if (l.Gate.Data != null) l.Gate = Packed(l.Gate);
                l.Up = Packed(l.Up); l.Down = Packed(l.Down);
                foreach (var w in new[] { l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down }) bytes += w.RowBytes * w.Rows;
            }
            WeightBytesPerToken = bytes;
            MaxSequences = maxSequences;
            int perContext = (ContextLength + BlockSize - 1) / BlockSize;
            _cache = new PagedKvCache(c.Layers, c.KvHeads, hd, kvType, BlockSize, kvBlocks ?? maxSequences * perContext, maxSequences, ContextLength);
            (_cos, _sin) = EngineOps.RopeTable(ContextLength, hd, c.RopeTheta, c.RopeScaling);
            if (c.Positions == PositionKind.Alibi) _alibi = weights.Copy(EngineOps.AlibiSlopes(c.Heads));
            // Quantised weights need 32-aligned rows, so activations are quantised only for such widths.
            _qDim = c.Dim % 32 == 0 ? new QuantizedActivations(c.Dim, 1) : null;
            _qFfn = c.FfnDim % 32 == 0 ? new QuantizedActivations(c.FfnDim, 1) : null;
            _qAttn = c.AttnDim == c.Dim ? _qDim : c.AttnDim % 32 == 0 ? new QuantizedActivations(c.AttnDim, 1) : null;
            int b = MaxBatch;
            _x = Alloc((long)b * c.Dim); _xn = Alloc((long)b * c.Dim); _q = Alloc((long)b * c.AttnDim);
            _k = Alloc((long)b * kvDim); _v = Alloc((long)b * kvDim); _att = Alloc((long)b * c.AttnDim); _tmp = Alloc((long)b * c.Dim);
            _gate = Alloc((long)b * c.FfnDim); _up = Alloc((long)b * c.FfnDim);
            _last = Alloc((long)maxSequences * c.Dim); _lastNorm = Alloc((long)maxSequences * c.Dim);
            _rowTable = (int**)AllocBytes(b * sizeof(int*));
            _rowPos = (int*)AllocBytes(b * sizeof(int));
        }
        catch
        {
            // Nothing half-built stays allocated: the caches made so far and the weights' memory (the caller closes the file).
            _cache?.Dispose();
            weights.FreeMemory();
            throw;
        }
    }

    /// <summary>Q8_0/Q4_0 (and K-quant) weights also get the int8 kernels' packed layout (once, at load; about their stored size).</summary>
    private WeightMatrix Packed(WeightMatrix m)
    {
        if (!QuantGemm.CanPack(m.Type)) return m;
        var packed = (byte*)AllocBytes(QuantGemm.PackedBytes(m));
        QuantGemm.PackAll(m, packed);
        return m.WithPacked(packed);
    }

    private float* Alloc(long floats) => _w.Alloc(floats);

    private void* AllocBytes(long bytes) => _w.AllocBytes(bytes);

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<int> tokens, int position, Span<float> lastLogits)
    {
        if (tokens.Length == 0) throw new ArgumentException("DecoderEngine.Forward: no tokens.", nameof(tokens));
        ForwardBatch(tokens, [new SequenceChunk(0, position, tokens.Length)], lastLogits);
    }

    /// <inheritdoc/>
    public void ForwardBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(tokens, chunks, logits, (long)chunks.Length * VocabSize, "chunk(s)");
        Run(tokens, chunks, logits, allPositions: false);
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> on <paramref name="slot"/> at positions <paramref name="position"/>.. and
    /// writes the logits of every position, row-major [tokens, V] — for perplexity, eval scoring and RL log-probs.
    /// </summary>
    public void ForwardAllPositions(ReadOnlySpan<int> tokens, int position, Span<float> logits, int slot = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.Length == 0) throw new ArgumentException("DecoderEngine.ForwardAllPositions: no tokens.", nameof(tokens));
        ReadOnlySpan<SequenceChunk> chunk = [new SequenceChunk(slot, position, tokens.Length)];
        Validate(tokens, chunk, logits, (long)tokens.Length * VocabSize, "position(s)");
        Run(tokens, chunk, logits, allPositions: true);
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> on <paramref name="slot"/> from position 0 and writes the final hidden state of
    /// every position after the output norm (HF's last_hidden_state), row-major [tokens, Dim] — for embeddings.
    /// </summary>
    public void HiddenStates(ReadOnlySpan<int> tokens, Span<float> hidden, int slot = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.Length == 0) throw new ArgumentException("DecoderEngine.HiddenStates: no tokens.", nameof(tokens));
        int dim = Config.Dim;
        if (hidden.Length < (long)tokens.Length * dim)
            throw new ArgumentException($"DecoderEngine.HiddenStates: the buffer holds {hidden.Length} values; {tokens.Length} tokens × {dim} need {(long)tokens.Length * dim}.", nameof(hidden));
        ReadOnlySpan<SequenceChunk> chunk = [new SequenceChunk(slot, 0, tokens.Length)];
        Validate(tokens, chunk, hidden, 0, "position(s)");
        _cache.Prepare(slot, 0, tokens);
        for (int s = 0; s < tokens.Length; s += MaxBatch)
        {
            int rows = Math.Min(MaxBatch, tokens.Length - s);
            Pass(tokens.Slice(s, rows), [new Segment(slot, s, 0, rows, -1)]);
            Norm(_x, _w.OutNorm, _w.OutNormBias, _xn, rows);
            new Span<float>(_xn, rows * dim).CopyTo(hidden.Slice(s * dim, rows * dim));
        }
    }

    private void Run(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits, bool allPositions)
    {
        var c = Config;
        int offset = 0;
        foreach (var ch in chunks) { _cache.Prepare(ch.Slot, ch.Position, tokens.Slice(offset, ch.Count)); offset += ch.Count; }
        Span<Segment> segments = chunks.Length <= 256 ? stackalloc Segment[chunks.Length] : new Segment[chunks.Length];
        int chunk = 0, done = 0; // chunk index and how many of its tokens earlier passes ran
        for (int s = 0; s < tokens.Length; s += MaxBatch)
        {
            // The pass covers rows [s, s + rows) of the concatenated tokens: a tail of one chunk, whole chunks, a head of another.
            int rows = Math.Min(MaxBatch, tokens.Length - s), m = 0;
            for (int r = 0; r < rows; m++)
            {
                var ch = chunks[chunk];
                int take = Math.Min(ch.Count - done, rows - r);
                bool ends = done + take == ch.Count;
                segments[m] = new Segment(ch.Slot, ch.Position + done, r, take, ends ? chunk : -1);
                r += take; done += take;
                if (ends) { chunk++; done = 0; }
            }
            Pass(tokens.Slice(s, rows), segments[..m]);
            foreach (var seg in segments[..m])
            {
                // Keep the last residual row of a finished chunk before the next pass overwrites _x.
                if (seg.EndsChunk >= 0 && !allPositions)
                    new Span<float>(_x + (long)(seg.Row + seg.Count - 1) * c.Dim, c.Dim).CopyTo(new Span<float>(_last + (long)seg.EndsChunk * c.Dim, c.Dim));
            }
            if (allPositions)
            {
                Norm(_x, _w.OutNorm, _w.OutNormBias, _xn, rows);
                fixed (float* y = logits) Project1(_xn, rows, _head, y + (long)s * VocabSize, _qDim);   // logits (rows, V)
            }
        }
        foreach (var ch in chunks) _cache.RegisterFullBlocks(ch.Slot);
        if (allPositions) return;
        int n = chunks.Length;
        long tick = EngineProfile.Now();
        Norm(_last, _w.OutNorm, _w.OutNormBias, _lastNorm, n);
        fixed (float* y = logits) Project1(_lastNorm, n, _head, y, _qDim);                  // logits (n, V)
        EngineProfile.Mark(EngineProfile.Part.Head, tick);
    }

    /// <summary>Throws, before anything runs, naming the chunk and what was expected.</summary>
    private void Validate(ReadOnlySpan<int> tokens, ReadOnlySpan<SequenceChunk> chunks, Span<float> logits, long logitsNeeded, string rowsAre)
    {
        if (chunks.Length == 0) throw new ArgumentException("DecoderEngine.ForwardBatch: no chunks.", nameof(chunks));
        if (chunks.Length > MaxSequences)
            throw new ArgumentException($"DecoderEngine.ForwardBatch: {chunks.Length} chunks, but the engine has {MaxSequences} slot(s) (one chunk per slot).", nameof(chunks));
        Span<bool> used = MaxSequences <= 1024 ? stackalloc bool[MaxSequences] : new bool[MaxSequences];
        long total = 0;
        int blocks = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            var ch = chunks[i];
            CheckSlot(ch.Slot, nameof(chunks));
            if (used[ch.Slot]) throw new ArgumentException($"DecoderEngine.ForwardBatch: two chunks use slot {ch.Slot}; a batch holds at most one chunk per slot.", nameof(chunks));
            used[ch.Slot] = true;
            if (ch.Count < 1) throw new ArgumentException($"DecoderEngine.ForwardBatch: chunk {i} has {ch.Count} tokens; every chunk needs at least one.", nameof(chunks));
            if (ch.Position < 0 || ch.Position > _cache.Length(ch.Slot))
                throw new ArgumentOutOfRangeException(nameof(chunks), ch.Position, $"DecoderEngine: position must be in [0, {_cache.Length(ch.Slot)}] (the cached length of slot {ch.Slot}).");
            if (ch.Position + ch.Count > ContextLength)
                throw new InvalidOperationException($"DecoderEngine: slot {ch.Slot}: positions {ch.Position}..{ch.Position + ch.Count - 1} exceed the context length {ContextLength}.");
            total += ch.Count;
            blocks += _cache.BlocksNeeded(ch.Slot, ch.Position, ch.Count) - _cache.BlocksFreed(ch.Slot, ch.Position);
        }
        if (total != tokens.Length)
            throw new ArgumentException($"DecoderEngine.ForwardBatch: the chunks cover {total} tokens, the token span holds {tokens.Length}.", nameof(chunks));
        if (logits.Length < logitsNeeded)
            throw new ArgumentException($"DecoderEngine: the logits buffer holds {logits.Length} values; {logitsNeeded / VocabSize} {rowsAre} × vocabulary {VocabSize} need {logitsNeeded}.", nameof(logits));
        foreach (int id in tokens)
            if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), id, $"DecoderEngine: token {id} is outside the vocabulary [0, {VocabSize}).");
        if (blocks > _cache.AvailableBlocks)
            throw new InvalidOperationException($"DecoderEngine: out of KV-cache blocks: the batch needs {blocks} more block(s) of {BlockSize} positions, {_cache.AvailableBlocks} of {_cache.TotalBlocks} are free.");
    }

    /// <inheritdoc/>
    public void CopySlot(int from, int to)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckSlot(from, nameof(from)); CheckSlot(to, nameof(to));
        if (from == to) return;
        _cache.CopySlot(from, to);
    }

    private int CheckSlot(int slot, string param) => (uint)slot < (uint)MaxSequences ? slot
        : throw new ArgumentOutOfRangeException(param, slot, $"DecoderEngine: slot {slot} is outside [0, {MaxSequences}) (the engine was opened with maxSequences = {MaxSequences}).");

    /// <summary>Runs at most MaxBatch rows (the segments' tokens, in order) through every block; leaves the residual stream in _x.</summary>
    private void Pass(ReadOnlySpan<int> tokens, ReadOnlySpan<Segment> segments)
    {
        var c = Config;
        int t = tokens.Length, dim = c.Dim, hd = c.HeadDim, kvDim = c.KvHeads * hd, qDim = c.AttnDim;
        long tick = EngineProfile.Now();
        for (int i = 0; i < t; i++) Dequant.Row(_embed, tokens[i], _x + (long)i * dim);       // x (T, C)
        foreach (var seg in segments)
            for (int r = 0; r < seg.Count; r++) { _rowPos[seg.Row + r] = seg.Position + r; _rowTable[seg.Row + r] = _cache.Table(seg.Slot); }
        if (_w.PositionEmbed != null)                                                          // x += wpe[pos]
            for (int r = 0; r < t; r++) EngineOps.Add(_x + (long)r * dim, _w.PositionEmbed + (long)_rowPos[r] * dim, dim);
        bool rotary = c.Positions == PositionKind.Rotary;
        fixed (float* cos = _cos, sin = _sin)
            for (int li = 0; li < _layers.Length; li++)
            {
                var l = _layers[li];
                tick = EngineProfile.Mark(li == 0 ? EngineProfile.Part.Embed : EngineProfile.Part.Residual, tick);
                Norm(_x, l.AttnNorm, l.AttnNormBias, _xn, t);
                tick = EngineProfile.Mark(EngineProfile.Part.Norm, tick);
                Project3(_xn, t, l.Q, _q, l.K, _k, l.V, _v);                                    // q (T, H·hd), k/v (T, kvDim)
                AddBias(_q, l.BiasQ, t, qDim); AddBias(_k, l.BiasK, t, kvDim); AddBias(_v, l.BiasV, t, kvDim);
                if (l.QNorm != null)                                                           // per-head q/k RMSNorm (Qwen3), before RoPE
                {
                    EngineOps.RmsNorm(_q, l.QNorm, _q, t * c.Heads, hd, c.NormEps);
                    EngineOps.RmsNorm(_k, l.KNorm, _k, t * c.KvHeads, hd, c.NormEps);
                }
                tick = EngineProfile.Mark(EngineProfile.Part.Qkv, tick);
                foreach (var seg in segments)                                                  // each sequence at its own positions
                {
                    float* q = _q + (long)seg.Row * qDim, k = _k + (long)seg.Row * kvDim, v = _v + (long)seg.Row * kvDim;
                    if (rotary && _w.RopePairs)
                    {
                        EngineOps.RopePairs(q, seg.Count, c.Heads, hd, seg.Position, cos, sin);
                        EngineOps.RopePairs(k, seg.Count, c.KvHeads, hd, seg.Position, cos, sin);
                    }
                    else if (rotary)
                    {
                        EngineOps.RopeHalves(q, seg.Count, c.Heads, hd, seg.Position, cos, sin);
                        EngineOps.RopeHalves(k, seg.Count, c.KvHeads, hd, seg.Position, cos, sin);
                    }
                    _cache.Store(seg.Slot, li, seg.Position, seg.Count, k, v);
                }
                tick = EngineProfile.Mark(EngineProfile.Part.RopeStore, tick);
                CachedAttention.Run(_q, _att, t, c.Heads, _cache, li, _rowTable, _rowPos, _alibi);
                tick = EngineProfile.Mark(EngineProfile.Part.Attention, tick);
                Project1(_att, t, l.O, _tmp, _qAttn);
                AddBias(_tmp, l.BiasO, t, dim);
                tick = EngineProfile.Mark(EngineProfile.Part.AttnOut, tick);
                EngineOps.Add(_x, _tmp, (long)t * dim);
                tick = EngineProfile.Mark(EngineProfile.Part.Residual, tick);
                Norm(_x, l.FfnNorm, l.FfnNormBias, _xn, t);
                tick = EngineProfile.Mark(EngineProfile.Part.Norm, tick);
                if (c.Mlp == MlpKind.SwiGlu)
                {
                    Project3(_xn, t, l.Gate, _gate, l.Up, _up, default, null);                 // (T, F)
                    AddBias(_gate, l.BiasGate, t, c.FfnDim); AddBias(_up, l.BiasUp, t, c.FfnDim);
                    EngineOps.SwiGlu(_gate, _up, (long)t * c.FfnDim);
                }
                else
                {
                    Project1(_xn, t, l.Up, _gate, _qDim);                                      // (T, F)
                    AddBias(_gate, l.BiasUp, t, c.FfnDim);
                    RowKernels.Apply(c.Mlp switch { MlpKind.Gelu => Activation.GeluErf, MlpKind.GeluTanh => Activation.GeluTanh, _ => Activation.Relu },
                        _gate, _gate, (long)t * c.FfnDim);
                }
                tick = EngineProfile.Mark(EngineProfile.Part.GateUp, tick);
                Project1(_gate, t, l.Down, _tmp, _qFfn);
                AddBias(_tmp, l.BiasDown, t, dim);
                tick = EngineProfile.Mark(EngineProfile.Part.Down, tick);
                EngineOps.Add(_x, _tmp, (long)t * dim);
            }
        EngineProfile.Mark(EngineProfile.Part.Residual, tick);
    }

    /// <summary>RMSNorm (the engine's own row kernel) or LayerNorm with bias (Tensors' row kernel), per the config.</summary>
    private void Norm(float* x, float* w, float* b, float* y, int rows)
    {
        var c = Config;
        if (c.Norm == NormKind.RmsNorm) EngineOps.RmsNorm(x, w, y, rows, c.Dim, c.NormEps);
        else RowKernels.Norm(x, w, b, y, rows, c.Dim, c.NormEps, rms: false);
    }

    /// <summary>y[r] += b for each of <paramref name="rows"/> rows of <paramref name="n"/> (nothing when b is null).</summary>
    private static void AddBias(float* y, float* b, int rows, int n)
    {
        if (b == null) return;
        for (int r = 0; r < rows; r++) EngineOps.Add(y + (long)r * n, b, n);
    }

    /// <summary>y_i = x·W_iᵀ for two or three matrices sharing the input x (T rows).</summary>
    private void Project3(float* x, int t, in WeightMatrix a, float* ya, in WeightMatrix b, float* yb, in WeightMatrix c, float* yc)
    {
        if (t == 1)
        {
            QRow q = default;
            if (a.UsesInt8 || b.UsesInt8 || (yc != null && c.UsesInt8)) { _qDim!.Quantize(x, 1); q = _qDim.Row(0); }
            Matmul.Gemv(x, q, a, ya, b, yb, c, yc);
            return;
        }
        var xq = QuantizeForGemm(x, t, _qDim, a.UsesInt8 || b.UsesInt8 || (yc != null && c.UsesInt8));
        _matmul.Gemm(x, t, a, ya, a.Rows, xq);
        _matmul.Gemm(x, t, b, yb, b.Rows, xq);
        if (yc != null) _matmul.Gemm(x, t, c, yc, c.Rows, xq);
    }

    private void Project1(float* x, int t, in WeightMatrix w, float* y, QuantizedActivations? qa)
    {
        if (t == 1)
        {
            QRow q = default;
            if (w.UsesInt8) { qa!.Quantize(x, 1); q = qa.Row(0); }
            Matmul.Gemv(x, q, w, y);
            return;
        }
        _matmul.Gemm(x, t, w, y, w.Rows, QuantizeForGemm(x, t, qa, w.UsesInt8));
    }

    /// <summary>Quantises the T rows of x once for every quantised weight that reads them (null when none does).</summary>
    private static QuantizedActivations? QuantizeForGemm(float* x, int t, QuantizedActivations? qa, bool needed)
    {
        if (!needed || qa is null) return null;
        qa.Quantize(x, t);
        return qa;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cache.Dispose();
        _matmul.Dispose(); _qDim?.Dispose(); _qFfn?.Dispose();
        if (_qAttn != _qDim) _qAttn?.Dispose();
        _w.Dispose();
    }
}
