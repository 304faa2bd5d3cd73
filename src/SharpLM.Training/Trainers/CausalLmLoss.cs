// CausalLmLoss: next-token cross-entropy of a decoder on (inputs, targets) windows — the pretraining (and,
// with −100 on prompt tokens, the SFT) objective. Counts the targets that are not ignored.
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Training.Trainers;

/// <summary>Mean next-token cross-entropy over non-ignored targets (ignore index −100).</summary>
public sealed class CausalLmLoss : ILossFunction<DecoderModel, (Tensor X, Tensor Y)>
{
    public Tensor Loss(DecoderModel model, (Tensor X, Tensor Y) batch) => DecoderModel.Loss(model.Forward(batch.X), batch.Y);

    public long Count((Tensor X, Tensor Y) batch) => batch.Y.ToInt32Array().Count(t => t != -100);
}
