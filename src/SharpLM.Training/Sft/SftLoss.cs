// SftLoss: the supervised fine-tuning objective for the Trainer — next-token cross-entropy on the assistant
// tokens only (targets −100 elsewhere), weighted per token or per session (LossNormalization), on packed rows
// (per-token positions, segment ids). Two options from the literature:
//   NEFTune (Jain et al. 2023, "NEFTune: Noisy Embeddings Improve Instruction Finetuning"): in training, uniform
//     noise in [−α/√(L·d), α/√(L·d)] is added to the input embeddings, L the row length and d the model width —
//     the scale TRL/transformers use (their forward hook on the embedding layer: mag_norm = α / sqrt(L·d));
//   the auxiliary LM loss of GPT-style fine-tuning (Radford et al. 2018, L = L_SFT + λ·L_PT): a micro-batch that
//     carries a pretraining window batch adds λ times its mean next-token loss, against catastrophic forgetting.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Sft;

/// <summary>Assistant-only cross-entropy with per-token or per-session weights, NEFTune and the auxiliary LM term.</summary>
public sealed class SftLoss(LossNormalization normalization = LossNormalization.Token, float neftuneAlpha = 0f, float auxLmWeight = 0f)
    : ILossFunction<DecoderModel, SftBatch>
{
    public LossNormalization Normalization { get; } = normalization;
    public float NeftuneAlpha { get; } = neftuneAlpha >= 0 ? neftuneAlpha : throw new ArgumentOutOfRangeException(nameof(neftuneAlpha), "SftLoss: neftune_alpha must be >= 0.");
    public float AuxLmWeight { get; } = auxLmWeight >= 0 ? auxLmWeight : throw new ArgumentOutOfRangeException(nameof(auxLmWeight), "SftLoss: aux_lm_weight must be >= 0.");

    public Tensor Loss(DecoderModel model, SftBatch batch)
    {
        var weights = SftLossWeights.For(batch.Labels, batch.Session, Normalization);
        var logits = model.Forward(batch.X, batch.Positions, batch.Segments, NoisyEmbeddings(model, batch));   // (B, T, V)
        var loss = Ops.WeightedCrossEntropy(logits, batch.Y, weights);
        if (batch.Pretrain is { } pt && AuxLmWeight > 0)
            loss = loss + Ops.MulScalar(DecoderModel.Loss(model.Forward(pt.X), pt.Y), AuxLmWeight);
        return loss;
    }

    public long Count(SftBatch batch) => SftLossWeights.Count(batch.Labels, batch.Session, Normalization);

    /// <summary>NEFTune's noisy input embeddings in training (null: use the plain embeddings).</summary>
    private Tensor? NoisyEmbeddings(DecoderModel model, SftBatch batch)
    {
        if (NeftuneAlpha <= 0 || !model.Training) return null;
        var e = model.Embed(batch.X);                                                     // (B, T, C)
        float mag = NeftuneAlpha / MathF.Sqrt((float)e.Shape[1] * e.Shape[2]);
        return e + Tensor.Rand(e.Shape.ToArray(), new Generator(batch.NoiseSeed), -mag, mag);
    }
}
