// DecoderLayer: one Transformer block — self-attention (MHA/GQA/MQA, rotary or ALiBi positions, fused or
// separate q/k/v) and a feed-forward block (GELU/ReLU or SwiGLU), each with a residual, in pre-norm
// (GPT-2, LLaMA) or post-norm (original Transformer) arrangement. Projections sit in replaceable slots
// (Module.Replace) and are read through them on every forward, so PEFT wrappers take effect.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Transformer;

/// <summary>What DecoderModel needs from a block; a wrapper around a DecoderLayer implements it too.</summary>
public interface IDecoderBlock
{
    /// <summary>
    /// x [B, T, C] → [B, T, C]; positions i32 [T] (or [B, T] for packed rows); alibi slopes [H] or null; seed drives
    /// dropout; cache appends k/v; segments i32 [B, T] or null keeps attention within a segment (packed rows).
    /// </summary>
    Tensor Forward(Tensor x, Tensor positions, Tensor? alibi, ulong seed, KvCache? cache = null, Tensor? segments = null);
}

/// <summary>One decoder block.</summary>
public sealed class DecoderLayer : Module, IDecoderBlock
{
    private readonly DecoderConfig _c;
    private readonly int _index;
    private readonly Norm _attnNorm, _ffnNorm;
    private readonly Norm? _qNorm, _kNorm;      // per-head q/k RMSNorm (QkHeadNorm)
    private readonly ChildSlot<ILinearLayer>? _q, _k, _v, _qkv, _gate;
    private readonly ChildSlot<ILinearLayer> _o, _up, _down;

    public DecoderLayer(DecoderConfig c, DecoderNames n, Generator gen, int index)
    {
        _c = c;
        _index = index;
        int kvDim = c.KvHeads * c.HeadDim;
        bool ln = c.Norm == NormKind.LayerNorm;
        _attnNorm = Child(n.AttnNorm, new Norm(c.Norm, c.Dim, c.NormEps, bias: ln));
        if (n.FusedQkv is { } fused)
            _qkv = Slot<ILinearLayer>(fused, new Linear(c.Dim, c.AttnDim + 2 * kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
        else
        {
            _q = Slot<ILinearLayer>(n.Q!, new Linear(c.Dim, c.AttnDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
            _k = Slot<ILinearLayer>(n.K!, new Linear(c.Dim, kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
            _v = Slot<ILinearLayer>(n.V!, new Linear(c.Dim, kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
        }
        _o = Slot<ILinearLayer>(n.O, new Linear(c.AttnDim, c.Dim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        if (c.QkHeadNorm) (_qNorm, _kNorm) = (Child(QkHeadNorms.Name(n.QNorm, c), QkHeadNorms.New(c)), Child(QkHeadNorms.Name(n.KNorm, c), QkHeadNorms.New(c)));
        _ffnNorm = Child(n.FfnNorm, new Norm(c.Norm, c.Dim, c.NormEps, bias: ln));
        if (c.Mlp == MlpKind.SwiGlu) _gate = Slot<ILinearLayer>(n.Gate ?? throw new ArgumentException($"{c.Family}: SwiGLU needs a gate projection name."), new Linear(c.Dim, c.FfnDim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        _up = Slot<ILinearLayer>(n.Up, new Linear(c.Dim, c.FfnDim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        _down = Slot<ILinearLayer>(n.Down, new Linear(c.FfnDim, c.Dim, c.ProjBias, gen, c.InitStd, n.Conv1D));
    }

    /// <summary>x [B, T, C] → [B, T, C]; see <see cref="IDecoderBlock.Forward"/>.</summary>
    public Tensor Forward(Tensor x, Tensor positions, Tensor? alibi, ulong seed, KvCache? cache = null, Tensor? segments = null)
    {
        var c = _c;
        bool train = Training;
        var h = c.PreNorm ? x + Ops.Dropout(Attention(_attnNorm.Forward(x), positions, alibi, seed, cache, segments), c.Dropout, seed + 1, train)
                          : _attnNorm.Forward(x + Ops.Dropout(Attention(x, positions, alibi, seed, cache, segments), c.Dropout, seed + 1, train));
        return Hooked(x, c.PreNorm ? h + Ops.Dropout(FeedForward(_ffnNorm.Forward(h)), c.Dropout, seed + 2, train)
                                   : _ffnNorm.Forward(h + Ops.Dropout(FeedForward(h), c.Dropout, seed + 2, train)));
    }

    /// <summary>Prefix tuning's keys/values before the sequence (set through DecoderModel.VirtualTokens; null: none).</summary>
    internal IVirtualTokens? KvPrefix { get; set; }

    /// <summary>LLaMA-Adapter's gated attention over learned prompts, added to the attention output (null: none).</summary>
    public IAdaptionPrompt? AdaptionPrompt { get; set; }

    /// <summary>The layer's key and value projections of <paramref name="x"/> [..., C] → 2 × [..., Hkv·hd].</summary>
    public (Tensor K, Tensor V) ProjectKeysValues(Tensor x)
    {
        int kvDim = _c.KvHeads * _c.HeadDim;
        if (_qkv is null) return (_k!.Value.Forward(x), _v!.Value.Forward(x));
        var parts = Ops.Split(_qkv.Value.Forward(x), [_c.AttnDim, kvDim, kvDim], -1);
        return (parts[1], parts[2]);
    }

    /// <summary>The attention output projection of <paramref name="x"/> [..., C].</summary>
    public Tensor ProjectOutput(Tensor x) => _o.Value.Forward(x);

    private Tensor Attention(Tensor x, Tensor positions, Tensor? alibi, ulong seed, KvCache? cache, Tensor? segments)
    {
        var c = _c;
        int b = x.Shape[0], t = x.Shape[1], hd = c.HeadDim, kvDim = c.KvHeads * hd;
        Tensor q, k, v;
        if (_qkv is not null)
        {
            var parts = Ops.Split(_qkv.Value.Forward(x), [c.AttnDim, kvDim, kvDim], -1);        // 3 × (B, T, ·)
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else (q, k, v) = (_q!.Value.Forward(x), _k!.Value.Forward(x), _v!.Value.Forward(x));
        if (_qNorm is not null) (q, k) = QkHeadNorms.Apply(_qNorm, _kNorm!, q, k, c);
        q = q.Reshape(b, t, c.Heads, hd).Transpose(1, 2);                                    // (B, H, T, hd)
        k = k.Reshape(b, t, c.KvHeads, hd).Transpose(1, 2);                                  // (B, Hkv, T, hd)
        v = v.Reshape(b, t, c.KvHeads, hd).Transpose(1, 2);                                  // (B, Hkv, T, hd)
        if (c.Positions == PositionKind.Rotary)
        {
            q = Ops.Rope(q, positions, c.RopeTheta, c.RopeLayout, c.RopeScaling);
            k = Ops.Rope(k, positions, c.RopeTheta, c.RopeLayout, c.RopeScaling);
        }
        if (KvPrefix is { } prefix && (cache is null || cache.Length == 0))                // a sequence starts: prefix first
        {
            var (pk, pv) = prefix.KeysValues(_index, b);                                     // (B, Hkv, P, hd)
            (k, v) = (Ops.Concat([pk, k], 2), Ops.Concat([pv, v], 2));                      // (B, Hkv, P+T, hd)
        }
        if (cache is not null) (k, v) = cache.Append(_index, k, v);                         // (B, Hkv, past+T, hd)
        var a = Ops.ScaledDotProductAttention(q, k, v, causal: true, alibiSlopes: alibi,
            dropoutP: c.AttentionDropout, seed: seed, training: Training, segments: segments); // (B, H, T, hd)
        var o = _o.Value.Forward(a.Transpose(1, 2).Reshape(b, t, c.AttnDim));               // (B, T, C)
        return AdaptionPrompt is { } adaption ? o + adaption.Output(this, q) : o;
    }

    private Tensor FeedForward(Tensor x) => _c.Mlp switch
    {
        MlpKind.SwiGlu => _down.Value.Forward(Ops.Silu(_gate!.Value.Forward(x)) * _up.Value.Forward(x)),
        MlpKind.Gelu => _down.Value.Forward(Ops.Gelu(_up.Value.Forward(x))),
        MlpKind.GeluTanh => _down.Value.Forward(Ops.Gelu(_up.Value.Forward(x), tanhApproximation: true)),
        _ => _down.Value.Forward(Ops.Relu(_up.Value.Forward(x))),
    };
}
