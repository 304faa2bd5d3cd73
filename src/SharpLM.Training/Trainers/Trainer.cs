// Trainer: the one training loop — optimiser with decay/no-decay groups, warmup + decay schedule, gradient
// accumulation (micro-batches weighted by their token counts), global-norm clipping, loss-spike/NaN step
// skipping, evaluation/checkpoint cadence, a wall-clock budget and cancellation. What is trained (model),
// on what (IBatchSource), towards what (ILossFunction) and what happens around each step (ITrainerCallback:
// evaluation, metrics, checkpoints, progress) are given to it; Pretrainer is one such composition.
using System.Diagnostics;
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Training.Optim;
using SharpLM.Training.Schedules;

namespace SharpLM.Training.Trainers;

/// <summary>Trains <typeparamref name="TModel"/> on micro-batches of <typeparamref name="TBatch"/>.</summary>
public sealed class Trainer<TModel, TBatch> : IDisposable where TModel : Module
{
    private readonly IReadOnlyList<Tensor> _parameters;

    public TModel Model { get; }
    public IBatchSource<TBatch> Data { get; }
    public ILossFunction<TModel, TBatch> Loss { get; }
    public TrainerOptions Options { get; }
    /// <summary>The optimiser (built from the options; checkpoints save and restore its state).</summary>
    public IOptimizer Optimizer { get; }
    public LrSchedule Schedule { get; }
    public List<ITrainerCallback> Callbacks { get; } = new();

    /// <summary>
    /// Freezes the <see cref="TrainerOptions.Freeze"/> prefixes (an unmatched prefix is an error) and builds the optimiser.
    /// With <paramref name="trainables"/> (e.g. a PEFT adapter's tensors) exactly those are trained and every model
    /// parameter is frozen.
    /// </summary>
    public Trainer(TModel model, IBatchSource<TBatch> data, ILossFunction<TModel, TBatch> loss, TrainerOptions options,
        IReadOnlyList<(string Name, Tensor Param)>? trainables = null)
    {
        Model = model; Data = data; Loss = loss; Options = options;
        if (options.Steps <= 0 || options.GradAccum <= 0 || options.EvalEvery <= 0 || options.CheckpointEvery <= 0)
            throw new ArgumentException("TrainerOptions: steps, grad_accum, eval_every and checkpoint_every must be positive.");
        var named = model.NamedParameters().ToList(); // walked once, not per step
        foreach (var f in options.Freeze)
            if (!named.Any(p => p.Name.StartsWith(f, StringComparison.Ordinal)))
                throw new ArgumentException($"freeze: no parameter name starts with '{f}'.");
        foreach (var (_, p) in named.Where(p => options.Freeze.Any(f => p.Name.StartsWith(f, StringComparison.Ordinal)))) p.RequiresGrad = false;
        if (trainables is not null)
        {
            foreach (var (_, p) in named) p.RequiresGrad = false;
            foreach (var (_, p) in trainables) p.RequiresGrad = true;
            named = trainables.ToList();
        }
        _parameters = named.Select(p => p.Param).ToList();
        var groups = ParamGroup.DecayMatricesOnly(named.Where(p => p.Param.RequiresGrad), options.WeightDecay);
        Optimizer = options.Optimizer == OptimizerKind.Sgd ? new Sgd(groups, momentum: options.Beta1) : new AdamW(groups, options.Beta1, options.Beta2);
        Schedule = new LrSchedule(options.Lr, options.WarmupSteps, (int)options.Steps, options.Schedule, options.MinLrRatio);
    }

    /// <summary>Releases the optimiser's state tensors.</summary>
    public void Dispose() => Optimizer.Dispose();

    /// <summary>Runs from <paramref name="startStep"/> (0, or the step a restored checkpoint reached) to Options.Steps.</summary>
    public TrainerOutcome Run(long startStep = 0, CancellationToken cancel = default)
    {
        var o = Options;
        long step = startStep, stepsThisSession = 0;
        float running = float.NaN, bestVal = float.PositiveInfinity, lastVal = float.NaN;
        bool cancelled = false, outOfTime = false, diverged = false;
        int skippedInARow = 0;
        var clock = Stopwatch.StartNew();
        Model.Train();
        while (step < o.Steps)
        {
            if (cancel.IsCancellationRequested) { cancelled = true; break; }
            if (o.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= o.MaxMinutes) { outOfTime = true; break; }
            var sw = Stopwatch.StartNew();
            float lr = Schedule.At(step);
            var (stepLoss, tokens) = ForwardBackward();
            bool spike = !float.IsFinite(stepLoss) || (!float.IsNaN(running) && stepLoss > o.SpikeFactor * running);
            skippedInARow = spike ? skippedInARow + 1 : 0;
            float norm = float.NaN;
            if (spike)
            {
                Optimizer.ZeroGrad(); // skip the update
                foreach (var cb in Callbacks) cb.OnSpike(step, stepLoss, running);
            }
            else
            {
                norm = GradClip.ClipGlobalNorm(_parameters, o.Clip);
                Optimizer.Step(lr);
                running = float.IsNaN(running) ? stepLoss : 0.95f * running + 0.05f * stepLoss;
            }
            step++; stepsThisSession++;
            double tps = tokens / sw.Elapsed.TotalSeconds;
            var info = new StepInfo
            {
                Kind = StepKind.Train, Step = step, TotalSteps = o.Steps, Loss = stepLoss, Lr = lr, GradNorm = norm, Skipped = spike, TokensPerSecond = tps,
                Eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / stepsThisSession * (o.Steps - step)),
                Event = spike ? $"skipped batch at step {step - 1}: loss {stepLoss:G4} (running mean {running:G4})" : null,
            };
            info.Metrics["train/loss"] = stepLoss; info.Metrics["lr"] = lr; info.Metrics["tokens_per_s"] = tps;
            if (!spike) info.Metrics["grad_norm"] = norm; else info.Metrics["skipped"] = 1;
            if (step % o.EvalEvery == 0 || step == o.Steps) Evaluate(info, ref lastVal, ref bestVal);
            foreach (var cb in Callbacks) cb.OnStepEnd(info);
            if (skippedInARow >= o.MaxConsecutiveSkips) { diverged = true; break; }
        }
        if (outOfTime && step % o.EvalEvery != 0)
        {
            var info = new StepInfo { Kind = StepKind.BudgetEval, Step = step, TotalSteps = o.Steps, GradNorm = 0 };
            Evaluate(info, ref lastVal, ref bestVal);
            info.Event = $"time budget of {o.MaxMinutes} min reached at step {step}";
            foreach (var cb in Callbacks) cb.OnStepEnd(info);
        }
        var outcome = new TrainerOutcome(step, cancelled, outOfTime, lastVal, bestVal) { Diverged = diverged };
        foreach (var cb in Callbacks) cb.OnRunEnd(outcome);
        return outcome;
    }

    /// <summary>One step's micro-batches: forward, backward with each loss weighted by its share of the counted tokens.</summary>
    private (float Loss, long Tokens) ForwardBackward()
    {
        int n = Options.GradAccum;
        using var scope = TensorScope.Begin();
        Optimizer.ZeroGrad();
        var batches = new TBatch[n];
        var counts = new long[n];
        for (int i = 0; i < n; i++) { batches[i] = Data.Next(); counts[i] = Loss.Count(batches[i]); }
        long total = counts.Sum();
        bool equal = counts.All(c => c == counts[0]);
        if (total <= 0) throw new InvalidOperationException($"Trainer: a step's {n} micro-batch(es) count no tokens.");
        float lossSum = 0, weighted = 0;
        for (int i = 0; i < n; i++)
        {
            var loss = Loss.Loss(Model, batches[i]);
            float value = loss.Item(), w = equal ? 1f / n : (float)((double)counts[i] / total);
            lossSum += value; weighted += w * value;
            (n == 1 ? loss : Ops.MulScalar(loss, w)).Backward();
        }
        return (equal ? lossSum / n : weighted, total);
    }

    private void Evaluate(StepInfo info, ref float lastVal, ref float bestVal)
    {
        foreach (var cb in Callbacks) cb.OnEvaluate(info);
        if (info.ValLoss is { } v) { lastVal = v; bestVal = Math.Min(bestVal, v); }
    }
}
