// TransformerSeq2Seq: the original encoder-decoder Transformer. Encoder layer: self-attention → add & norm →
// ReLU FFN → add & norm. Decoder layer: masked self-attention, cross-attention over the encoder output, FFN,
// each followed by add & norm. Parameter names follow the BART/Marian scheme of Hugging Face
// (shared, encoder.layers.{i}.self_attn.q_proj, …, decoder.layers.{i}.encoder_attn.out_proj, fc1, fc2).
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Seq2Seq;

/// <summary>One post-LN decoder layer with cross-attention.</summary>
public sealed class Seq2SeqDecoderLayer : Module
{
    private readonly MultiHeadAttention _self, _cross;
    private readonly Norm _selfNorm, _crossNorm, _ffnNorm;
    private readonly Linear _fc1, _fc2;
    private readonly float _p;

    public Seq2SeqDecoderLayer(Seq2SeqConfig c, Generator gen)
    {
        _p = c.Dropout;
        _self = Child("self_attn", new MultiHeadAttention(c.Dim, c.Heads, gen, c.InitStd, ("q_proj", "k_proj", "v_proj", "out_proj")));
        _selfNorm = Child("self_attn_layer_norm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
        _cross = Child("encoder_attn", new MultiHeadAttention(c.Dim, c.Heads, gen, c.InitStd, ("q_proj", "k_proj", "v_proj", "out_proj")));
        _crossNorm = Child("encoder_attn_layer_norm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
        _fc1 = Child("fc1", new Linear(c.Dim, c.FfnDim, true, gen, c.InitStd));
        _fc2 = Child("fc2", new Linear(c.FfnDim, c.Dim, true, gen, c.InitStd));
        _ffnNorm = Child("final_layer_norm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
    }

    public Tensor Forward(Tensor y, Tensor memory, Tensor? memoryMask, ulong seed)
    {
        var h = _selfNorm.Forward(y + Ops.Dropout(_self.Forward(y, null, null, true, _p, seed), _p, seed + 1, Training));
        h = _crossNorm.Forward(h + Ops.Dropout(_cross.Forward(h, memory, memoryMask, false, _p, seed + 2), _p, seed + 3, Training));
        return _ffnNorm.Forward(h + Ops.Dropout(_fc2.Forward(Ops.Relu(_fc1.Forward(h))), _p, seed + 4, Training));
    }
}

/// <summary>The encoder-decoder Transformer with shared embeddings and tied output projection.</summary>
public sealed class TransformerSeq2Seq : Module
{
    private readonly Embedding _shared;
    private readonly PostNormEncoderLayer[] _enc;
    private readonly Seq2SeqDecoderLayer[] _dec;
    private readonly Generator _seeds;

    public Seq2SeqConfig Config { get; }

    public TransformerSeq2Seq(Seq2SeqConfig c, ulong seed = 0)
    {
        Config = c;
        var gen = new Generator(seed);
        _seeds = new Generator(seed ^ 0x5e25e2);
        _shared = Child("shared", new Embedding(c.VocabSize, c.Dim, gen, c.InitStd));
        _enc = new PostNormEncoderLayer[c.EncoderLayers];
        for (int i = 0; i < c.EncoderLayers; i++)
            _enc[i] = Child($"encoder.layers.{i}", new PostNormEncoderLayer(c.Dim, c.Heads, c.FfnDim, c.NormEps, c.Dropout, MlpKind.Relu, EncoderLayerNames.Bart, gen, c.InitStd));
        _dec = new Seq2SeqDecoderLayer[c.DecoderLayers];
        for (int i = 0; i < c.DecoderLayers; i++) _dec[i] = Child($"decoder.layers.{i}", new Seq2SeqDecoderLayer(c, gen));
    }

    private Tensor Embed(Tensor ids)
    {
        int t = ids.Shape[1];
        if (t > Config.MaxPositions) throw new ArgumentException($"TransformerSeq2Seq: sequence length {t} exceeds max positions {Config.MaxPositions}.");
        var x = Ops.MulScalar(_shared.Forward(ids), MathF.Sqrt(Config.Dim)) + SinusoidalPositions.Table(0, t, Config.Dim); // (B, T, C)
        return Ops.Dropout(x, Config.Dropout, _seeds.NextUInt64(), Training);
    }

    /// <summary>Source ids i32 [B, Ts] (mask i32 [B, Ts] or null) → memory [B, Ts, C].</summary>
    public Tensor Encode(Tensor src, Tensor? srcMask = null)
    {
        var x = Embed(src);
        foreach (var l in _enc) x = l.Forward(x, srcMask, _seeds.NextUInt64());
        return x;
    }

    /// <summary>Target ids i32 [B, Tt] and encoder memory → logits [B, Tt, V].</summary>
    public Tensor Decode(Tensor tgt, Tensor memory, Tensor? srcMask = null)
    {
        var y = Embed(tgt);
        foreach (var l in _dec) y = l.Forward(y, memory, srcMask, _seeds.NextUInt64());
        return Ops.Matmul(y, _shared.Weight.Transpose(0, 1));                             // (B, Tt, V)
    }

    /// <summary>Encode then decode.</summary>
    public Tensor Forward(Tensor src, Tensor tgt, Tensor? srcMask = null) => Decode(tgt, Encode(src, srcMask), srcMask);
}
