// Fused cross-entropy from logits: log-sum-exp per row, negative log-likelihood of the target, optional
// label smoothing (PyTorch's definition: (1-ε)·NLL + ε·mean over classes of −log p), rows whose target is
// ignore_index are skipped; mean over the remaining rows. Backward is (softmax − smoothed one-hot)/count,
// computed from the logits and the saved per-row log-sum-exp, so no probability matrix is kept.
// WeightedCrossEntropy is the same loss as a weighted sum Σ wᵣ·ℓᵣ over the counted rows (SFT's per-token or
// per-session normalisation is a choice of weights).
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    /// <summary>Mean cross-entropy of <paramref name="logits"/> [..., C] against i32 <paramref name="targets"/> [...].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, int ignoreIndex = -100, float labelSmoothing = 0f) =>
        CrossEntropyCore(logits, targets, ignoreIndex, labelSmoothing, null);

    /// <summary>Σᵣ <paramref name="rowWeights"/>[r] · cross-entropy of row r over the rows whose target is not <paramref name="ignoreIndex"/> (weights of [...] rows, in row order).</summary>
    public static Tensor WeightedCrossEntropy(Tensor logits, Tensor targets, float[] rowWeights, int ignoreIndex = -100, float labelSmoothing = 0f)
    {
        if (rowWeights.Length != targets.Numel)
            throw new ArgumentException($"WeightedCrossEntropy: {rowWeights.Length} row weights for {targets.Numel} targets {ShapeUtil.Format(targets.Shape)}.");
        return CrossEntropyCore(logits, targets, ignoreIndex, labelSmoothing, (float[])rowWeights.Clone());
    }

    private static Tensor CrossEntropyCore(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing, float[]? weights)
    {
        if (targets.DType != DType.I32) throw targets.DTypeError("CrossEntropy targets", DType.I32);
        if (logits.Rank < 1) throw new ArgumentException("CrossEntropy: logits must have a class dim.");
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropy: label_smoothing must be in [0, 1].");
        int c = logits.Shape[^1];
        long rows = c == 0 ? 0 : logits.Numel / c;
        if (targets.Numel != rows || !ShapeUtil.SameShape(targets.Shape, logits.Shape[..^1]))
            throw new ArgumentException($"CrossEntropy: targets shape {ShapeUtil.Format(targets.Shape)} must equal logits shape without the class dim, {ShapeUtil.Format(logits.Shape[..^1])}.");
        var x = logits.DenseF32("CrossEntropy");
        // A managed copy of the targets: backward must not depend on the caller keeping them alive.
        var t = targets.ToInt32Array();
        // Per-row log-sum-exp, kept on the host for backward.
        var lse = new float[rows];
        var (total, valid) = Backend.Current.CrossEntropy(x, t, lse, ignoreIndex, labelSmoothing, weights);
        var o = Tensor.Full([], weights is not null ? (float)total : valid == 0 ? float.NaN : (float)(total / valid));
        var inShape = logits.Shape.ToArray();
        return GradRecorder.Record(o, "cross_entropy", logits, g =>
        {
            float scale = weights is not null ? g.Item() : g.Item() / valid;
            var dx = Tensor.Zeros(inShape);
            Backend.Current.CrossEntropyBackward(x, t, lse, dx, scale, ignoreIndex, labelSmoothing, weights);
            return [dx];
        });
    }
}
