// ClassificationMetrics: accuracy, confusion matrix, precision / recall / F-beta with binary, micro, macro
// and weighted averaging, as scikit-learn defines them (sklearn.metrics.accuracy_score, confusion_matrix,
// precision_recall_fscore_support): labels are the sorted union of true and predicted labels; a ratio with a
// zero denominator counts as 0 (zero_division's default); weighted averaging weights by true support.
namespace SharpLM.Eval.Metrics.Classification;

public enum Averaging { Binary, Micro, Macro, Weighted }

/// <summary>Precision, recall and F-beta of one label or an average.</summary>
public readonly record struct PrecisionRecallF(double Precision, double Recall, double F);

public static class ClassificationMetrics
{
    public static double Accuracy<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred) where T : notnull
    {
        Check.SameLength("accuracy", yPred, yTrue);
        int hit = 0;
        for (int i = 0; i < yTrue.Count; i++) if (EqualityComparer<T>.Default.Equals(yTrue[i], yPred[i])) hit++;
        return (double)hit / yTrue.Count;
    }

    /// <summary>The sorted union of the labels in both lists.</summary>
    public static T[] Labels<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred) where T : notnull =>
        yTrue.Concat(yPred).Distinct().Order(Comparer<T>.Default).ToArray();

    /// <summary>C[i, j] = number of samples with true label i predicted as j (rows true, columns predicted).</summary>
    public static int[,] ConfusionMatrix<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred, IReadOnlyList<T>? labels = null) where T : notnull
    {
        Check.SameLength("confusion_matrix", yPred, yTrue);
        var labs = labels ?? Labels(yTrue, yPred);
        var index = labs.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var m = new int[labs.Count, labs.Count];
        for (int i = 0; i < yTrue.Count; i++)
            if (index.TryGetValue(yTrue[i], out var r) && index.TryGetValue(yPred[i], out var c)) m[r, c]++;
        return m;
    }

    /// <summary>Per-label precision, recall, F-beta and support, in the order of <see cref="Labels"/>.</summary>
    public static (T[] Labels, PrecisionRecallF[] Scores, int[] Support) PerLabel<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred, double beta = 1) where T : notnull
    {
        Check.SameLength("precision_recall_fscore", yPred, yTrue);
        var labels = Labels(yTrue, yPred);
        var m = ConfusionMatrix(yTrue, yPred, labels);
        var scores = new PrecisionRecallF[labels.Length];
        var support = new int[labels.Length];
        for (int k = 0; k < labels.Length; k++)
        {
            long tp = m[k, k], predicted = 0, actual = 0;
            for (int j = 0; j < labels.Length; j++) { predicted += m[j, k]; actual += m[k, j]; }
            scores[k] = Score(tp, predicted, actual, beta);
            support[k] = (int)actual;
        }
        return (labels, scores, support);
    }

    /// <summary>Averaged precision, recall and F-beta; Binary scores <paramref name="positive"/> alone.</summary>
    public static PrecisionRecallF PrecisionRecallFScore<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred, Averaging average, T? positive = default, double beta = 1) where T : notnull
    {
        var (labels, scores, support) = PerLabel(yTrue, yPred, beta);
        switch (average)
        {
            case Averaging.Binary:
                if (positive is null) throw new ArgumentException("precision_recall_fscore: binary averaging needs the positive label.");
                if (labels.Length > 2) throw new ArgumentException($"precision_recall_fscore: binary averaging needs at most 2 labels, found {labels.Length}; use micro, macro or weighted.");
                int k = Array.IndexOf(labels, positive);
                return k < 0 ? new PrecisionRecallF(0, 0, 0) : scores[k];
            case Averaging.Micro:
                long tp = 0;
                for (int i = 0; i < yTrue.Count; i++) if (EqualityComparer<T>.Default.Equals(yTrue[i], yPred[i])) tp++;
                return Score(tp, yTrue.Count, yTrue.Count, beta);
            case Averaging.Macro:
                return new PrecisionRecallF(scores.Average(s => s.Precision), scores.Average(s => s.Recall), scores.Average(s => s.F));
            default:
                double total = support.Sum();
                if (total == 0) return new PrecisionRecallF(0, 0, 0);
                return new PrecisionRecallF(
                    scores.Select((s, i) => s.Precision * support[i]).Sum() / total,
                    scores.Select((s, i) => s.Recall * support[i]).Sum() / total,
                    scores.Select((s, i) => s.F * support[i]).Sum() / total);
        }
    }

    public static double F1<T>(IReadOnlyList<T> yTrue, IReadOnlyList<T> yPred, Averaging average, T? positive = default) where T : notnull =>
        PrecisionRecallFScore(yTrue, yPred, average, positive).F;

    private static PrecisionRecallF Score(long tp, long predicted, long actual, double beta)
    {
        double p = predicted > 0 ? (double)tp / predicted : 0, r = actual > 0 ? (double)tp / actual : 0;
        double b2 = beta * beta;
        double f = p + r > 0 ? (1 + b2) * p * r / (b2 * p + r) : 0;
        return new PrecisionRecallF(p, r, f);
    }
}
