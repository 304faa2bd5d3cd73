// DecoderLayer: one Transformer block — self-attention (MHA/GQA/MQA, rotary or ALiBi positions, fused or
// separate q/k/v) and a feed-forward block (GELU/ReLU or SwiGLU), each with a residual, in pre-norm
// (GPT-2, LLaMA) or post-norm (original Transformer) arrangement.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Transformer;

/// <summary>One decoder block.</summary>
public sealed class DecoderLayer : Module
{
    private readonly DecoderConfig _c;
    private readonly int _index;
    private readonly Norm _attnNorm, _ffnNorm;
    private readonly Linear? _q, _k, _v, _qkv, _gate;
    private readonly Linear _o, _up, _down;

    public DecoderLayer(DecoderConfig c, DecoderNames n, Generator gen, int index)
    {
        _c = c;
        _index = index;
        int kvDim = c.KvHeads * c.HeadDim;
        bool ln = c.Norm == NormKind.LayerNorm;
        _attnNorm = Child(n.AttnNorm, new Norm(c.Norm, c.Dim, c.NormEps, bias: ln));
        if (n.FusedQkv is { } fused)
            _qkv = Child(fused, new Linear(c.Dim, c.Dim + 2 * kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
        else
        {
            _q = Child(n.Q!, new Linear(c.Dim, c.Dim, c.QkvBias, gen, c.InitStd, n.Conv1D));
            _k = Child(n.K!, new Linear(c.Dim, kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
            _v = Child(n.V!, new Linear(c.Dim, kvDim, c.QkvBias, gen, c.InitStd, n.Conv1D));
        }
        _o = Child(n.O, new Linear(c.Dim, c.Dim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        _ffnNorm = Child(n.FfnNorm, new Norm(c.Norm, c.Dim, c.NormEps, bias: ln));
        if (c.Mlp == MlpKind.SwiGlu) _gate = Child(n.Gate ?? throw new ArgumentException($"{c.Family}: SwiGLU needs a gate projection name."), new Linear(c.Dim, c.FfnDim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        _up = Child(n.Up, new Linear(c.Dim, c.FfnDim, c.ProjBias, gen, c.InitStd, n.Conv1D));
        _down = Child(n.Down, new Linear(c.FfnDim, c.Dim, c.ProjBias, gen, c.InitStd, n.Conv1D));
    }

    /// <summary>x [B, T, C] → [B, T, C]; positions i32 [T]; alibi slopes [H] or null; seed drives dropout; cache appends k/v.</summary>
    public Tensor Forward(Tensor x, Tensor positions, Tensor? alibi, ulong seed, KvCache? cache = null)
    {
        var c = _c;
        bool train = Training;
        var h = c.PreNorm ? x + Ops.Dropout(Attention(_attnNorm.Forward(x), positions, alibi, seed, cache), c.Dropout, seed + 1, train)
                          : _attnNorm.Forward(x + Ops.Dropout(Attention(x, positions, alibi, seed, cache), c.Dropout, seed + 1, train));
        return c.PreNorm ? h + Ops.Dropout(FeedForward(_ffnNorm.Forward(h)), c.Dropout, seed + 2, train)
                         : _ffnNorm.Forward(h + Ops.Dropout(FeedForward(h), c.Dropout, seed + 2, train));
    }

    private Tensor Attention(Tensor x, Tensor positions, Tensor? alibi, ulong seed, KvCache? cache)
    {
        var c = _c;
        int b = x.Shape[0], t = x.Shape[1], hd = c.HeadDim, kvDim = c.KvHeads * hd;
        Tensor q, k, v;
        if (_qkv is not null)
        {
            var parts = Ops.Split(_qkv.Forward(x), [c.Dim, kvDim, kvDim], -1);              // 3 × (B, T, ·)
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else (q, k, v) = (_q!.Forward(x), _k!.Forward(x), _v!.Forward(x));
        q = q.Reshape(b, t, c.Heads, hd).Transpose(1, 2);                                    // (B, H, T, hd)
        k = k.Reshape(b, t, c.KvHeads, hd).Transpose(1, 2);                                  // (B, Hkv, T, hd)
        v = v.Reshape(b, t, c.KvHeads, hd).Transpose(1, 2);                                  // (B, Hkv, T, hd)
        if (c.Positions == PositionKind.Rotary)
        {
            q = Ops.Rope(q, positions, c.RopeTheta, c.RopeLayout, c.RopeScaling);
            k = Ops.Rope(k, positions, c.RopeTheta, c.RopeLayout, c.RopeScaling);
        }
        if (cache is not null) (k, v) = cache.Append(_index, k, v);                         // (B, Hkv, past+T, hd)
        var a = Ops.ScaledDotProductAttention(q, k, v, causal: true, alibiSlopes: alibi,
            dropoutP: c.AttentionDropout, seed: seed, training: Training);                   // (B, H, T, hd)
        return _o.Forward(a.Transpose(1, 2).Reshape(b, t, c.Dim));                           // (B, T, C)
    }

    private Tensor FeedForward(Tensor x) => _c.Mlp switch
    {
        MlpKind.SwiGlu => _down.Forward(Ops.Silu(_gate!.Forward(x)) * _up.Forward(x)),
        MlpKind.Gelu => _down.Forward(Ops.Gelu(_up.Forward(x))),
        MlpKind.GeluTanh => _down.Forward(Ops.Gelu(_up.Forward(x), tanhApproximation: true)),
        _ => _down.Forward(Ops.Relu(_up.Forward(x))),
    };
}
