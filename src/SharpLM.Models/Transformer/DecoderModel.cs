// DecoderModel: a decoder-only language model built from a DecoderConfig — token embedding, positions
// (learned, rotary, ALiBi, sinusoidal), a stack of DecoderLayers, a final norm and the LM head (tied to
// the embedding or separate). Parameter names follow the family's Hugging Face table. Packed training rows
// (several sessions per row) pass a position per token and segment ids that keep attention inside a session.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Transformer;

/// <summary>A GPT-2 / LLaMA / Baichuan style causal language model.</summary>
public sealed class DecoderModel : Module
{
    private readonly Embedding _embed;
    private readonly Embedding? _pos;
    private readonly ChildSlot<IDecoderBlock>[] _layers;
    private readonly Norm _finalNorm;
    private readonly ChildSlot<ILinearLayer>? _head;
    private readonly Tensor? _alibi;
    private readonly Generator _dropoutSeeds;

    public DecoderConfig Config { get; }

    /// <summary>State of the generator that seeds dropout masks (part of an exact-resume checkpoint).</summary>
    public ulong[] DropoutRngState { get => _dropoutSeeds.GetState(); set => _dropoutSeeds.SetState(value); }

    public DecoderModel(DecoderConfig config, ulong seed = 0)
    {
        Config = config.Validate();
        var n = DecoderNames.For(config.Family);
        var gen = new Generator(seed);
        _dropoutSeeds = new Generator(seed ^ 0x5eed);
        _embed = Child(n.Embed, new Embedding(config.VocabSize, config.Dim, gen, config.InitStd));
        if (config.Positions == PositionKind.Learned)
            _pos = Child(n.PositionEmbed ?? throw new ArgumentException($"{config.Family}: learned positions need a position-embedding name."),
                new Embedding(config.MaxPositions, config.Dim, gen, config.InitStd / 2));
        _layers = new ChildSlot<IDecoderBlock>[config.Layers];
        for (int i = 0; i < config.Layers; i++) _layers[i] = Slot<IDecoderBlock>(string.Format(n.Layer, i), new DecoderLayer(config, n, gen, i));
        _finalNorm = Child(n.FinalNorm, new Norm(config.Norm, config.Dim, config.NormEps, bias: config.Norm == NormKind.LayerNorm));
        if (!config.TiedEmbeddings) _head = Slot<ILinearLayer>(n.LmHead, new Linear(config.Dim, config.VocabSize, false, gen, config.InitStd));
        if (config.Positions == PositionKind.Alibi) _alibi = Ops.AlibiSlopes(config.Heads);
    }

    /// <summary>
    /// Virtual tokens an adapter puts before every sequence (prompt tuning, P-tuning, prefix tuning), or null.
    /// They take the first positions, go into a KV cache once (when it is empty), and get no logits.
    /// </summary>
    public IVirtualTokens? VirtualTokens
    {
        get => _virtualTokens;
        set
        {
            bool kv = value?.Kind == VirtualTokenKind.KeysValues;
            if (kv && _layers.FirstOrDefault(s => s.Value is not DecoderLayer) is { } other)
                throw new InvalidOperationException($"DecoderModel: {value!.Description} puts keys/values into each DecoderLayer, but a layer is a {other.Value.GetType().Name}.");
            _virtualTokens = value;
            foreach (var slot in _layers)
                if (slot.Value is DecoderLayer layer) layer.KvPrefix = kv ? value : null;
        }
    }
    private IVirtualTokens? _virtualTokens;

    /// <summary>
    /// Token ids i32 [B, T] → logits [B, T, V]; <paramref name="startPos"/> offsets the positions. With a
    /// <paramref name="cache"/>, positions continue from the cached length and the new keys/values are appended.
    /// With <see cref="VirtualTokens"/>, a sequence's first forward (no cache, or an empty one) puts them first.
    /// </summary>
    public Tensor Forward(Tensor ids, int startPos = 0, KvCache? cache = null)
    {
        if (cache is not null) startPos = cache.Length;
        if (ids.Rank != 2 || ids.DType != DType.I32)
            throw new ArgumentException($"DecoderModel.Forward: ids must be i32 [batch, time], got {ids}.");
        int t = ids.Shape[1];
        var virt = cache is null || cache.Length == 0 ? _virtualTokens : null;          // virtual tokens start a sequence
        int nv = virt?.Count ?? 0;
        if (virt is not null && startPos + nv + t > Config.MaxPositions)
            throw new ArgumentException($"DecoderModel.Forward: the {nv} virtual tokens of the {virt.Description} and {t} input tokens (from position {startPos}) exceed the context length {Config.MaxPositions}.");
        if (startPos + t > Config.MaxPositions)
            throw new ArgumentException($"DecoderModel.Forward: positions {startPos}..{startPos + t - 1} exceed the context length {Config.MaxPositions}.");
        bool prompt = virt?.Kind == VirtualTokenKind.Embeddings;
        if (virt is not null && !prompt) startPos += nv;                                // prefix keys/values hold the first positions
        int tx = prompt ? nv + t : t;
        var positions = Tensor.Arange(startPos, startPos + tx, 1, DType.I32); // owned by the caller's scope
        var x = _embed.Forward(ids);                                                   // (B, T, C)
        if (prompt) x = Ops.Concat([virt!.Embeddings(ids.Shape[0]), x], 1);             // (B, NV+T, C)
        if (_pos is not null) x = x + _pos.Forward(positions);
        if (Config.Positions == PositionKind.Sinusoidal) x = x + SinusoidalPositions.Table(startPos, tx, Config.Dim);
        return Blocks(ids, x, positions, null, cache, commit: virt is null ? t : nv + t, skip: prompt ? nv : 0);
    }

    /// <summary>
    /// Packed training rows: token ids i32 [B, T] with a position per token (i32 [B, T]; restarting at 0 for each
    /// session) and, optionally, segment ids (i32 [B, T]; attention stays within a segment) → logits [B, T, V].
    /// Each session of a row then computes exactly what it computes alone. <paramref name="embeddings"/> (optional)
    /// replaces the token embeddings [B, T, C] (e.g. NEFTune's noisy embeddings of <see cref="Embed"/>).
    /// </summary>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? segments, Tensor? embeddings = null)
    {
        if (_virtualTokens is not null)
            throw new NotSupportedException($"DecoderModel.Forward: packed rows with per-token positions do not take the virtual tokens of the {_virtualTokens.Description}; train it on unpacked rows.");
        if (ids.Rank != 2 || ids.DType != DType.I32)
            throw new ArgumentException($"DecoderModel.Forward: ids must be i32 [batch, time], got {ids}.");
        if (positions.DType != DType.I32 || !ShapeEquals(positions, ids))
            throw new ArgumentException($"DecoderModel.Forward: positions must be i32 {ShapeOf(ids)}, got {positions}.");
        if (segments is not null && (segments.DType != DType.I32 || !ShapeEquals(segments, ids)))
            throw new ArgumentException($"DecoderModel.Forward: segment ids must be i32 {ShapeOf(ids)}, got {segments}.");
        var pos = positions.ToInt32Array();
        int max = pos.Length == 0 ? 0 : pos.Max();
        if (pos.Any(p => p < 0) || max >= Config.MaxPositions)
            throw new ArgumentException($"DecoderModel.Forward: positions must lie in [0, {Config.MaxPositions}), got up to {max}.");
        var x = embeddings ?? _embed.Forward(ids);                                     // (B, T, C)
        if (_pos is not null) x = x + _pos.Forward(positions);
        if (Config.Positions == PositionKind.Sinusoidal) x = x + Ops.Embedding(SinusoidalPositions.Table(0, max + 1, Config.Dim), positions);
        return Blocks(ids, x, positions, segments, null, commit: ids.Shape[1], skip: 0);
    }

    /// <summary>The token embeddings of <paramref name="ids"/> [B, T] → [B, T, C] (what Forward starts from).</summary>
    public Tensor Embed(Tensor ids) => _embed.Forward(ids);

    private static bool ShapeEquals(Tensor a, Tensor b) => a.Shape.SequenceEqual(b.Shape);
    private static string ShapeOf(Tensor t) => "[" + string.Join(", ", t.Shape.ToArray()) + "]";

    /// <summary>
    /// Dropout on the embedded input, the blocks, the final norm and the LM head; <paramref name="commit"/> positions enter
    /// the cache, and the first <paramref name="skip"/> rows (prompt-tuning virtual tokens) get no logits.
    /// </summary>
    private Tensor Blocks(Tensor ids, Tensor x, Tensor positions, Tensor? segments, KvCache? cache, int commit, int skip)
    {
        int t = ids.Shape[1];
        x = Ops.Dropout(x, Config.Dropout, _dropoutSeeds.NextUInt64(), Training);
        foreach (var slot in _layers)
        {
            var layer = slot.Value;
            ulong seed = _dropoutSeeds.NextUInt64();
            x = Config.ActivationCheckpointing && Training && cache is null
                ? Checkpointing.Run(h => layer.Forward(h, positions, _alibi, seed, null, segments), x)   // keeps only the block input
                : layer.Forward(x, positions, _alibi, seed, cache, segments);
        }
        cache?.Commit(commit);
        if (skip > 0) x = x.Narrow(1, skip, t);                                        // the real tokens' states
        x = _finalNorm.Forward(x);
        return Hooked(ids, _head is not null ? _head.Value.Forward(x) : Ops.Matmul(x, _embed.Weight.Transpose(0, 1))); // (B, T, V)
    }

    /// <summary>Mean next-token cross-entropy of logits against i32 targets [B, T] (ignore index −100).</summary>
    public static Tensor Loss(Tensor logits, Tensor targets) => Ops.CrossEntropy(logits, targets, ignoreIndex: -100);
}
