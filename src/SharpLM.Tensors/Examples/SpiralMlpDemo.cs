// SpiralMlpDemo: the smallest end-to-end training run on the tensor engine — a two-layer MLP (2 → H → 3,
// tanh) learns to classify a generated three-arm spiral with softmax cross-entropy and SGD with momentum.
// It exists so a fresh checkout can show the engine training (loss falling) before the Training layer
// (optimizers, trainer, checkpoints) lands; `sharplm quickstart` runs it.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;

namespace SharpLM.Tensors.Examples;

/// <summary>Options of the spiral demo.</summary>
public sealed record SpiralMlpOptions(int Steps = 300, int Hidden = 64, int PointsPerClass = 200, float LearningRate = 0.5f, float Momentum = 0.9f, ulong Seed = 1, int ReportEvery = 25);

/// <summary>One progress report of the demo.</summary>
public sealed record SpiralMlpProgress(int Step, float Loss, float Accuracy);

/// <summary>Trains a two-layer MLP on a generated spiral dataset.</summary>
public static class SpiralMlpDemo
{
    /// <summary>Builds the dataset: <c>pointsPerClass</c> points on each of three noisy spiral arms.</summary>
    public static (Tensor X, Tensor Y) MakeSpirals(int pointsPerClass, Generator gen)
    {
        const int classes = 3;
        var x = new float[pointsPerClass * classes * 2];
        var y = new int[pointsPerClass * classes];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < pointsPerClass; i++)
            {
                int n = c * pointsPerClass + i;
                float r = i / (float)pointsPerClass;
                float t = c * 4f + 4f * r + (float)gen.NextGaussian() * 0.2f;
                x[2 * n] = r * MathF.Sin(t);
                x[2 * n + 1] = r * MathF.Cos(t);
                y[n] = c;
            }
        return (Tensor.FromArray(x, pointsPerClass * classes, 2), Tensor.FromArray(y, pointsPerClass * classes));
    }

    /// <summary>Runs the demo; <paramref name="report"/> receives the loss every few steps. Returns the final report.</summary>
    public static SpiralMlpProgress Run(SpiralMlpOptions o, Action<SpiralMlpProgress>? report = null, CancellationToken cancel = default)
    {
        var gen = new Generator(o.Seed);
        var (x, y) = MakeSpirals(o.PointsPerClass, gen);
        var w1 = Tensor.Randn([o.Hidden, 2], gen, 1f);
        var b1 = Tensor.Zeros([o.Hidden]);
        var w2 = Tensor.Randn([3, o.Hidden], gen, 1f / MathF.Sqrt(o.Hidden));
        var b2 = Tensor.Zeros([3]);
        Tensor[] ps = [w1, b1, w2, b2];
        foreach (var p in ps) p.RequiresGrad = true;
        var velocity = ps.Select(p => new float[p.Numel]).ToArray();
        SpiralMlpProgress last = new(0, float.NaN, 0);
        try
        {
            for (int step = 1; step <= o.Steps; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = TensorScope.Begin();
                foreach (var p in ps) p.ZeroGrad();
                var logits = Ops.Linear(Ops.Tanh(Ops.Linear(x, w1, b1)), w2, b2); // (N, 3)
                var loss = Ops.CrossEntropy(logits, y);
                loss.Backward();
                using (GradMode.NoGrad())
                    for (int i = 0; i < ps.Length; i++)
                    {
                        var w = ps[i].AsSpan(); var g = ps[i].Grad!.AsSpan(); var v = velocity[i];
                        for (int j = 0; j < w.Length; j++) { v[j] = o.Momentum * v[j] + g[j]; w[j] -= o.LearningRate * v[j]; }
                    }
                if (step % o.ReportEvery == 0 || step == 1 || step == o.Steps)
                {
                    var pred = Ops.Argmax(logits, -1).ToInt32Array();
                    var truth = y.ToInt32Array();
                    float acc = pred.Zip(truth).Count(t => t.First == t.Second) / (float)truth.Length;
                    last = new SpiralMlpProgress(step, loss.Item(), acc);
                    report?.Invoke(last);
                }
            }
            return last;
        }
        finally
        {
            foreach (var p in ps) { p.Grad?.Dispose(); p.Dispose(); }
            x.Dispose(); y.Dispose();
        }
    }
}
