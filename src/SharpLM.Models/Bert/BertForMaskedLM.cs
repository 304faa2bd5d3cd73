// BertForMaskedLM: BERT's post-LN encoder (learned position and token-type embeddings, GELU FFN) with the
// masked-language-model head (dense → GELU → LayerNorm → decoder tied to the word embeddings + bias).
// Parameter names are Hugging Face's BertForMaskedLM names.
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Bert;

/// <summary>BERT with the MLM head.</summary>
public sealed class BertForMaskedLM : Module
{
    private readonly Embedding _words, _positions, _types;
    private readonly Norm _embNorm, _headNorm;
    private readonly PostNormEncoderLayer[] _layers;
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
        _layers = new PostNormEncoderLayer[c.Layers];
        for (int i = 0; i < c.Layers; i++)
            _layers[i] = Child($"bert.encoder.layer.{i}", new PostNormEncoderLayer(c.Dim, c.Heads, c.FfnDim, c.NormEps, c.Dropout, MlpKind.Gelu, EncoderLayerNames.Bert, gen, c.InitStd));
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
