// Check: argument validation shared by the metrics — every message names the metric and the lengths, so a
// caller sees "f1: 3 predictions for 4 references" instead of an index error deep in a loop.
namespace SharpLM.Eval.Metrics;

internal static class Check
{
    public static void SameLength<T, U>(string metric, IReadOnlyCollection<T> predictions, IReadOnlyCollection<U> references)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
            throw new ArgumentException($"{metric}: the reference list is empty (0 references, {predictions.Count} predictions).");
        if (predictions.Count != references.Count)
            throw new ArgumentException($"{metric}: {predictions.Count} predictions for {references.Count} references; the lengths must be equal.");
    }

    public static void NotEmpty<T>(string metric, IReadOnlyCollection<T> values, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"{metric}: {what} is empty.");
    }
}
