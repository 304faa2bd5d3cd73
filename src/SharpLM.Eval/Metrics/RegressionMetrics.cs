// RegressionMetrics: MAE, MAPE, MSE, RMSE, MSLE, MedAE and R² as scikit-learn defines them
// (sklearn.metrics.mean_absolute_error, mean_absolute_percentage_error — |y − ŷ| / max(|y|, ε) with ε the
// float64 machine epsilon, a fraction not a percentage —, mean_squared_error, root_mean_squared_error,
// mean_squared_log_error, median_absolute_error, r2_score with force_finite: a constant target gives 1 for
// a perfect fit, else 0).
namespace SharpLM.Eval.Metrics;

public static class RegressionMetrics
{
    /// <summary>numpy.finfo(float64).eps, the floor of MAPE's denominator.</summary>
    private const double Float64Epsilon = 2.220446049250313e-16;

    public static double Mae(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred) =>
        Pairs("mean_absolute_error", yTrue, yPred).Average(p => Math.Abs(p.T - p.P));

    public static double Mape(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred) =>
        Pairs("mean_absolute_percentage_error", yTrue, yPred).Average(p => Math.Abs(p.T - p.P) / Math.Max(Math.Abs(p.T), Float64Epsilon));

    public static double Mse(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred) =>
        Pairs("mean_squared_error", yTrue, yPred).Average(p => (p.T - p.P) * (p.T - p.P));

    public static double Rmse(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred) => Math.Sqrt(Mse(yTrue, yPred));

    public static double Msle(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred)
    {
        var pairs = Pairs("mean_squared_log_error", yTrue, yPred);
        if (pairs.Any(p => p.T <= -1 || p.P <= -1))
            throw new ArgumentException("mean_squared_log_error: targets and predictions must be greater than -1 (log1p is taken).");
        return pairs.Average(p => Math.Pow(Math.Log(1 + p.T) - Math.Log(1 + p.P), 2));
    }

    public static double MedAe(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred)
    {
        var e = Pairs("median_absolute_error", yTrue, yPred).Select(p => Math.Abs(p.T - p.P)).Order().ToArray();
        return e.Length % 2 == 1 ? e[e.Length / 2] : (e[e.Length / 2 - 1] + e[e.Length / 2]) / 2;
    }

    public static double R2(IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred)
    {
        var pairs = Pairs("r2_score", yTrue, yPred);
        double mean = yTrue.Average();
        double ssRes = pairs.Sum(p => (p.T - p.P) * (p.T - p.P)), ssTot = yTrue.Sum(t => (t - mean) * (t - mean));
        if (ssTot == 0) return ssRes == 0 ? 1.0 : 0.0;
        return 1 - ssRes / ssTot;
    }

    private static (double T, double P)[] Pairs(string metric, IReadOnlyList<double> yTrue, IReadOnlyList<double> yPred)
    {
        Check.SameLength(metric, yPred, yTrue);
        return yTrue.Select((t, i) => (t, yPred[i])).ToArray();
    }
}
