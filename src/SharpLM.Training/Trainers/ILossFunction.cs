// ILossFunction: what a training objective is to the Trainer — a scalar loss of the model on one micro-batch
// (the mean over what the batch counts) and that count, so gradient accumulation weights each micro-batch by
// its share of the step's tokens. Pretraining, SFT, reward modelling, DPO and PPO differ here and in the data
// source, not in the loop.
using SharpLM.Models.Modules;
using SharpLM.Tensors;

namespace SharpLM.Training.Trainers;

/// <summary>A training objective over micro-batches of type <typeparamref name="TBatch"/>.</summary>
public interface ILossFunction<in TModel, in TBatch> where TModel : Module
{
    /// <summary>Scalar loss tensor (mean over <see cref="Count"/> items), recorded for backward.</summary>
    Tensor Loss(TModel model, TBatch batch);

    /// <summary>How many tokens (or examples) the mean in <see cref="Loss"/> runs over.</summary>
    long Count(TBatch batch);
}

/// <summary>An objective from two delegates.</summary>
public sealed class LossFunction<TModel, TBatch>(Func<TModel, TBatch, Tensor> loss, Func<TBatch, long> count) : ILossFunction<TModel, TBatch>
    where TModel : Module
{
    public Tensor Loss(TModel model, TBatch batch) => loss(model, batch);
    public long Count(TBatch batch) => count(batch);
}
