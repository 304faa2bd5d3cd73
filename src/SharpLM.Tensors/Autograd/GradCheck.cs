// GradCheck: compares the tape's gradients with central finite differences. The kernels compute in f32,
// so the loss L = Σ out·w (w a fixed random weight) is accumulated in float64 and the difference quotient
// (L(x+ε) − L(x−ε)) / 2ε is formed in float64; ε and the tolerance are chosen per op by the caller.
using SharpLM.Tensors.Rng;

namespace SharpLM.Tensors.Autograd;

/// <summary>Result of a gradient check: the worst mismatch found.</summary>
public sealed record GradCheckResult(bool Passed, string Detail, double MaxAbsError, double MaxRelError);

/// <summary>Finite-difference gradient checking for any differentiable function of tensors.</summary>
public static class GradCheck
{
    /// <summary>
    /// Checks d(Σ f(inputs)·w)/d(input) for every input that requires grad. Passes when every element has
    /// |analytic − numeric| ≤ atol + rtol·|numeric|.
    /// </summary>
    public static GradCheckResult Run(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-2, double atol = 1e-3, double rtol = 1e-2, ulong seed = 7)
    {
        using var scope = TensorScope.Begin();
        foreach (var x in inputs) if (x.RequiresGrad) x.Grad = null;
        var y = f(inputs);
        var w = Tensor.Randn(y.Shape, new Generator(seed));
        var wv = w.ToArray();
        var loss = Ops.Sum(Ops.Mul(y, w));
        loss.Backward();
        double maxAbs = 0, maxRel = 0;
        string worst = "ok";
        bool passed = true;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Numel];
            var data = x.AsSpan();
            for (int j = 0; j < data.Length; j++)
            {
                float orig = data[j];
                data[j] = orig + (float)eps; double lp = Eval(f, inputs, wv);
                data[j] = orig - (float)eps; double lm = Eval(f, inputs, wv);
                data[j] = orig;
                double num = (lp - lm) / (2 * eps);
                double err = Math.Abs(analytic[j] - num);
                double rel = err / Math.Max(Math.Abs(num), 1e-12);
                maxAbs = Math.Max(maxAbs, err);
                if (err > atol) maxRel = Math.Max(maxRel, rel);
                if (err > atol + rtol * Math.Abs(num) && passed)
                {
                    passed = false;
                    worst = $"input {i} element {j}: analytic {analytic[j]:G6}, numeric {num:G6}";
                }
            }
        }
        foreach (var x in inputs) if (x.RequiresGrad) { x.Grad?.Dispose(); x.Grad = null; }
        return new GradCheckResult(passed, worst, maxAbs, maxRel);
    }

    private static double Eval(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] w)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var y = f(inputs).ToArray();
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
        return s;
    }
}
