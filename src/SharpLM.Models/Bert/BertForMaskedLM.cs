// BertForMaskedLM: BERT's post-LN encoder (learned position and token-type embeddings, GELU FFN) with the
// masked-language-model head (dense → GELU → LayerNorm → decoder tied to the word embeddings + bias).
// Parameter names are Hugging Face's BertForMaskedLM names.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Bert;

/// <summary>One post-LN BERT layer.</summary>
public sealed class BertLayer : Module
{
    private readonly MultiHeadAttention _attn;
    private readonly Norm _attnNorm, _outNorm;
    private readonly Linear _up, _down;
    private readonly float _dropout;

    public BertLayer(BertConfig c, Generator gen)
    {
        _dropout = c.Dropout;
        _attn = Child("attention", new MultiHeadAttention(c.Dim, c.Heads, gen, c.InitStd, ("self.query", "self.key", "self.value", "output.dense")));
        _attnNorm = Child("attention.output.LayerNorm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
        _up = Child("intermediate.dense", new Linear(c.Dim, c.FfnDim, true, gen, c.InitStd));
        _down = Child("output.dense", new Linear(c.FfnDim, c.Dim, true, gen, c.InitStd));
        _outNorm = Child("output.LayerNorm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
    }

    public Tensor Forward(Tensor x, Tensor? mask, ulong seed)
    {
        var h = _attnNorm.Forward(x + Ops.Dropout(_attn.Forward(x, null, mask, causal: false, _dropout, seed), _dropout, seed + 1, Training));
        return _outNorm.Forward(h + Ops.Dropout(_down.Forward(Ops.Gelu(_up.Forward(h))), _dropout, seed + 2, Training));
    }
}

/// <summary>BERT with the MLM head.</summary>
public sealed class BertForMaskedLM : Module
{
    private readonly Embedding _words, _positions, _types;
    private readonly Norm _embNorm, _headNorm;
    private readonly BertLayer[] _layers;
    private readonly Linear _headDense;
    private readonly Tensor _headBias;
    private readonly Generator _seeds;

    public BertConfig Config { get; }

    public BertForMaskedLM(BertConfig c, ulong seed = 0)
    {
        Config = c;
        var gen = new Generator(seed);
        _seeds = new Generator(seed ^ 0xbe27);
        _words = Child("bert.embeddings.word_embeddings", new Embedding(c.VocabSize, c.Dim, gen, c.InitStd));
        _positions = Child("bert.embeddings.position_embeddings", new Embedding(c.MaxPositions, c.Dim, gen, c.InitStd));
        _types = Child("bert.embeddings.token_type_embeddings", new Embedding(c.TypeVocabSize, c.Dim, gen, c.InitStd));
        _embNorm = Child("bert.embeddings.LayerNorm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
        _layers = new BertLayer[c.Layers];
        for (int i = 0; i < c.Layers; i++) _layers[i] = Child($"bert.encoder.layer.{i}", new BertLayer(c, gen));
        _headDense = Child("cls.predictions.transform.dense", new Linear(c.Dim, c.Dim, true, gen, c.InitStd));
        _headNorm = Child("cls.predictions.transform.LayerNorm", new Norm(NormKind.LayerNorm, c.Dim, c.NormEps));
        _headBias = Parameter("cls.predictions.bias", Tensor.Zeros([c.VocabSize]));
    }

    /// <summary>ids i32 [B, T]; tokenTypes i32 [B, T] or null (all 0); attentionMask i32 [B, T] (1 = token) or null → logits [B, T, V].</summary>
    public Tensor Forward(Tensor ids, Tensor? tokenTypes = null, Tensor? attentionMask = null)
    {
        if (ids.Rank != 2 || ids.DType != DType.I32) throw new ArgumentException($"BertForMaskedLM.Forward: ids must be i32 [batch, time], got {ids}.");
        int b = ids.Shape[0], t = ids.Shape[1];
        if (t > Config.MaxPositions) throw new ArgumentException($"BertForMaskedLM.Forward: sequence length {t} exceeds max_position_embeddings {Config.MaxPositions}.");
        var pos = Tensor.Arange(0, t, 1, DType.I32); // owned by the caller's scope
        var types = tokenTypes ?? Tensor.Zeros([b, t], DType.I32);
        var x = _words.Forward(ids) + _positions.Forward(pos) + _types.Forward(types);      // (B, T, C)
        x = Ops.Dropout(_embNorm.Forward(x), Config.Dropout, _seeds.NextUInt64(), Training);
        foreach (var layer in _layers) x = layer.Forward(x, attentionMask, _seeds.NextUInt64());
        var h = _headNorm.Forward(Ops.Gelu(_headDense.Forward(x)));
        return Ops.Matmul(h, _words.Weight.Transpose(0, 1)) + _headBias;                   // (B, T, V)
    }
}
