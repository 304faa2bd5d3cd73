// Classification, ranking and regression metrics against the worked examples printed in scikit-learn's API
// documentation (sklearn.metrics.<function> docstrings, "Examples" sections) and small cases counted by hand.
using SharpLM.Eval.Metrics;
using SharpLM.Eval.Metrics.Classification;
using Xunit;

namespace SharpLM.Eval.Tests;

public class ClassificationTests
{
    // precision_score / recall_score / f1_score docstrings: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1].
    private static readonly int[] T = [0, 1, 2, 0, 1, 2], P = [0, 2, 1, 0, 0, 1];

    [Fact]
    public void AveragesEqualScikitLearnDocs()
    {
        var macro = ClassificationMetrics.PrecisionRecallFScore(T, P, Averaging.Macro);
        Assert.Equal(2.0 / 9, macro.Precision, 12);         // 0.22...
        Assert.Equal(1.0 / 3, macro.Recall, 12);            // 0.33...
        Assert.Equal(0.26666666666666666, macro.F, 12);     // 0.26...
        var micro = ClassificationMetrics.PrecisionRecallFScore(T, P, Averaging.Micro);
        Assert.Equal(1.0 / 3, micro.Precision, 12);
        Assert.Equal(1.0 / 3, micro.Recall, 12);
        Assert.Equal(1.0 / 3, micro.F, 12);
        var weighted = ClassificationMetrics.PrecisionRecallFScore(T, P, Averaging.Weighted);
        Assert.Equal(2.0 / 9, weighted.Precision, 12);
        Assert.Equal(0.26666666666666666, weighted.F, 12);
        var (labels, per, support) = ClassificationMetrics.PerLabel(T, P);
        Assert.Equal([0, 1, 2], labels);
        Assert.Equal([2.0 / 3, 0, 0], per.Select(s => s.Precision));   // average=None: [0.66666667, 0., 0.]
        Assert.Equal([1.0, 0, 0], per.Select(s => s.Recall));          // [1., 0., 0.]
        Assert.Equal([0.8, 0, 0], per.Select(s => Math.Round(s.F, 12))); // [0.8, 0., 0.]
        Assert.Equal([2, 2, 2], support);
        // precision_recall_fscore_support docstring (cat/dog/pig): macro (0.22, 0.33, 0.26), weighted the same.
        string[] yt = ["cat", "dog", "pig", "cat", "dog", "pig"], yp = ["cat", "pig", "dog", "cat", "cat", "dog"];
        var m = ClassificationMetrics.PrecisionRecallFScore(yt, yp, Averaging.Macro);
        Assert.Equal((0.2222222222, 0.3333333333, 0.2666666667), (Math.Round(m.Precision, 10), Math.Round(m.Recall, 10), Math.Round(m.F, 10)));
    }

    [Fact]
    public void BinaryAccuracyAndConfusionMatrix()
    {
        // accuracy_score docstring: y_pred = [0, 2, 1, 3], y_true = [0, 1, 2, 3] → 0.5.
        Assert.Equal(0.5, ClassificationMetrics.Accuracy([0, 1, 2, 3], [0, 2, 1, 3]));
        // confusion_matrix docstring: [[2, 0, 0], [0, 0, 1], [1, 0, 2]].
        var cm = ClassificationMetrics.ConfusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]);
        Assert.Equal(new[,] { { 2, 0, 0 }, { 0, 0, 1 }, { 1, 0, 2 } }, cm);
        var cm2 = ClassificationMetrics.ConfusionMatrix(["cat", "ant", "cat", "cat", "ant", "bird"], ["ant", "ant", "cat", "cat", "ant", "cat"], ["ant", "bird", "cat"]);
        Assert.Equal(new[,] { { 2, 0, 0 }, { 0, 0, 1 }, { 1, 0, 2 } }, cm2);
        // confusion_matrix docstring, binary: tn, fp, fn, tp = (0, 2, 1, 1).
        var b = ClassificationMetrics.ConfusionMatrix([0, 1, 0, 1], [1, 1, 1, 0]);
        Assert.Equal((0, 2, 1, 1), (b[0, 0], b[0, 1], b[1, 0], b[1, 1]));
        // Binary F1 by hand on the same data: tp 1, fp 2, fn 1 → P 1/3, R 1/2, F1 0.4.
        var s = ClassificationMetrics.PrecisionRecallFScore([0, 1, 0, 1], [1, 1, 1, 0], Averaging.Binary, positive: 1);
        Assert.Equal((1.0 / 3, 0.5, 0.4), (s.Precision, s.Recall, Math.Round(s.F, 12)));
    }

    [Fact]
    public void PrecisionRecallCurveRocAndTies()
    {
        // precision_recall_curve docstring: y_true [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8] →
        // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8].
        bool[] y = [false, false, true, true];
        double[] sc = [0.1, 0.4, 0.35, 0.8];
        var pr = RankingCurves.PrecisionRecall(y, sc);
        Assert.Equal([0.5, 2.0 / 3, 0.5, 1, 1], pr.Y);
        Assert.Equal([1, 1, 0.5, 0.5, 0], pr.X);
        Assert.Equal([0.1, 0.35, 0.4, 0.8], pr.Thresholds);
        Assert.Equal(0.5, RankingCurves.BreakEvenPoint(y, sc)); // precision = recall = 0.5 at threshold 0.35
        // roc_curve docstring: fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1].
        var roc = RankingCurves.Roc(y, sc);
        Assert.Equal([0, 0, 0.5, 0.5, 1], roc.X);
        Assert.Equal([0, 0.5, 0.5, 1, 1], roc.Y);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], roc.Thresholds);
        Assert.Equal(0.75, RankingCurves.RocAuc(y, sc)); // roc_auc_score docstring example value
        // Ties count one half: pairs (neg 0.2, neg 0.5) × (pos 0.5, pos 0.9) → 1 + 1 + 0.5 + 1 = 3.5 of 4.
        Assert.Equal(0.875, RankingCurves.RocAuc([false, false, true, true], [0.2, 0.5, 0.5, 0.9]));
        Assert.Equal(0.5, RankingCurves.RocAuc([false, true, false, true], [0.3, 0.3, 0.3, 0.3]));
    }

    [Fact]
    public void BadInputNamesTheMetricAndLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1([1, 0, 1], [1, 0], Averaging.Macro));
        Assert.Contains("precision_recall_fscore", e.Message);
        Assert.Contains("2 predictions for 3 references", e.Message);
        e = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy(Array.Empty<int>(), Array.Empty<int>()));
        Assert.Contains("accuracy", e.Message);
        Assert.Contains("empty", e.Message);
        Assert.Contains("roc_curve", Assert.Throws<ArgumentException>(() => RankingCurves.RocAuc([true, true], [0.1, 0.2])).Message);
        Assert.Contains("mean_squared_error: 3 predictions for 4 references", Assert.Throws<ArgumentException>(() => RegressionMetrics.Mse([1, 2, 3, 4], [1, 2, 3])).Message);
    }
}

public class RegressionTests
{
    // The shared example of the sklearn.metrics regression docstrings.
    private static readonly double[] T = [3, -0.5, 2, 7], P = [2.5, 0.0, 2, 8];

    [Fact]
    public void ValuesEqualScikitLearnDocs()
    {
        Assert.Equal(0.5, RegressionMetrics.Mae(T, P));                          // mean_absolute_error → 0.5
        Assert.Equal(0.375, RegressionMetrics.Mse(T, P));                        // mean_squared_error → 0.375
        Assert.Equal(0.612, Math.Round(RegressionMetrics.Rmse(T, P), 3));        // root_mean_squared_error → 0.612...
        Assert.Equal(Math.Sqrt(0.375), RegressionMetrics.Rmse(T, P));
        Assert.Equal(0.5, RegressionMetrics.MedAe(T, P));                        // median_absolute_error → 0.5
        Assert.Equal(0.948, Math.Floor(RegressionMetrics.R2(T, P) * 1000) / 1000); // r2_score → 0.948...
        Assert.Equal(1 - 0.375 * 4 / 29.1875, RegressionMetrics.R2(T, P), 14);    // by hand: SS_tot = 29.1875
        Assert.Equal(0.3273, Math.Floor(RegressionMetrics.Mape(T, P) * 10000) / 10000); // mean_absolute_percentage_error → 0.3273...
        Assert.Equal((0.5 / 3 + 0.5 / 0.5 + 0 + 1.0 / 7) / 4, RegressionMetrics.Mape(T, P), 14);
        // mean_squared_log_error docstring: y_true [3, 5, 2.5, 7], y_pred [2.5, 5, 4, 8] → 0.039...
        double msle = RegressionMetrics.Msle([3, 5, 2.5, 7], [2.5, 5, 4, 8]);
        Assert.Equal(0.039, Math.Floor(msle * 1000) / 1000);
        Assert.Equal((Math.Pow(Math.Log(4) - Math.Log(3.5), 2) + 0 + Math.Pow(Math.Log(3.5) - Math.Log(5), 2) + Math.Pow(Math.Log(8) - Math.Log(9), 2)) / 4, msle, 14);
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Msle([-2], [1]));
        Assert.Equal(1.0, RegressionMetrics.R2([2, 2], [2, 2]));  // constant target, perfect fit (force_finite)
        Assert.Equal(0.0, RegressionMetrics.R2([2, 2], [1, 2]));
    }
}
