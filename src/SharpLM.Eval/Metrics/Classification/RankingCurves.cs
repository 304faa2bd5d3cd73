// RankingCurves: precision-recall curve, its break-even point, ROC curve and ROC-AUC for binary scores, as
// scikit-learn computes them (sklearn.metrics.precision_recall_curve, roc_curve with
// drop_intermediate=False, roc_auc_score): one point per distinct score, so tied scores move together and a
// tie between a positive and a negative counts one half in the AUC (the trapezoid over grouped points).
namespace SharpLM.Eval.Metrics.Classification;

/// <summary>Points ordered as scikit-learn returns them.</summary>
public sealed record CurvePoints(double[] X, double[] Y, double[] Thresholds);

public static class RankingCurves
{
    // Cumulative false and true positives at each distinct score, scores descending (sklearn's _binary_clf_curve).
    private static (double[] Fps, double[] Tps, double[] Thresholds) BinaryCurve(IReadOnlyList<bool> yTrue, IReadOnlyList<double> scores, string metric)
    {
        Check.SameLength(metric, scores, yTrue);
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var fps = new List<double>(); var tps = new List<double>(); var th = new List<double>();
        double tp = 0, fp = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (yTrue[order[k]]) tp++; else fp++;
            if (k == order.Length - 1 || scores[order[k + 1]] != scores[order[k]]) { tps.Add(tp); fps.Add(fp); th.Add(scores[order[k]]); }
        }
        return (fps.ToArray(), tps.ToArray(), th.ToArray());
    }

    /// <summary>X = recall, Y = precision, thresholds increasing; a final (recall 0, precision 1) point is appended.</summary>
    public static CurvePoints PrecisionRecall(IReadOnlyList<bool> yTrue, IReadOnlyList<double> scores)
    {
        var (fps, tps, th) = BinaryCurve(yTrue, scores, "precision_recall_curve");
        double positives = tps[^1];
        if (positives == 0) throw new ArgumentException("precision_recall_curve: no positive samples in the references; recall is undefined.");
        int n = th.Length;
        var precision = new double[n + 1]; var recall = new double[n + 1]; var thresholds = new double[n];
        for (int i = 0; i < n; i++)
        {
            int j = n - 1 - i;
            precision[i] = tps[j] + fps[j] > 0 ? tps[j] / (tps[j] + fps[j]) : 1; // sklearn: 0/0 precision → 1
            recall[i] = tps[j] / positives;
            thresholds[i] = th[j];
        }
        precision[n] = 1; recall[n] = 0;
        return new CurvePoints(recall, precision, thresholds);
    }

    /// <summary>
    /// Break-even point: the precision = recall value on the PR curve; where no point has them equal, the mean
    /// of precision and recall at the point where they are closest (the first such point by threshold).
    /// </summary>
    public static double BreakEvenPoint(IReadOnlyList<bool> yTrue, IReadOnlyList<double> scores)
    {
        var c = PrecisionRecall(yTrue, scores);
        int best = 0;
        for (int i = 1; i < c.Thresholds.Length; i++)
            if (Math.Abs(c.Y[i] - c.X[i]) < Math.Abs(c.Y[best] - c.X[best])) best = i;
        return (c.X[best] + c.Y[best]) / 2;
    }

    /// <summary>X = false-positive rate, Y = true-positive rate; thresholds decreasing, starting at +∞.</summary>
    public static CurvePoints Roc(IReadOnlyList<bool> yTrue, IReadOnlyList<double> scores)
    {
        var (fps, tps, th) = BinaryCurve(yTrue, scores, "roc_curve");
        double p = tps[^1], n = fps[^1];
        if (p == 0 || n == 0) throw new ArgumentException($"roc_curve: the references hold {p} positives and {n} negatives; ROC needs both.");
        var fpr = new double[th.Length + 1]; var tpr = new double[th.Length + 1]; var thresholds = new double[th.Length + 1];
        thresholds[0] = double.PositiveInfinity;
        for (int i = 0; i < th.Length; i++) { fpr[i + 1] = fps[i] / n; tpr[i + 1] = tps[i] / p; thresholds[i + 1] = th[i]; }
        return new CurvePoints(fpr, tpr, thresholds);
    }

    /// <summary>Area under the ROC curve by the trapezoid rule.</summary>
    public static double RocAuc(IReadOnlyList<bool> yTrue, IReadOnlyList<double> scores)
    {
        var c = Roc(yTrue, scores);
        double area = 0;
        for (int i = 1; i < c.X.Length; i++) area += (c.X[i] - c.X[i - 1]) * (c.Y[i] + c.Y[i - 1]) / 2;
        return area;
    }
}
