// CrossEntropyKernel: the CPU loops of the fused cross-entropy (moved unchanged from Ops): per-row
// log-sum-exp in double, NLL plus PyTorch's label smoothing, and the backward (softmax − smoothed one-hot).
// Optional per-row weights multiply each row's loss (and its gradient), for weighted sums such as SFT's per-session mean.
using System.Numerics.Tensors;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class CrossEntropyKernel
{
    /// <summary>Fills lse for counted rows; returns the summed loss and the number of counted rows.</summary>
    public static (double Total, long Valid) Forward(float* xp, int[] t, float[] lse, long rows, int c, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null)
    {
        double total = 0; long valid = 0;
        for (long r = 0; r < rows; r++)
        {
            int target = t[r];
            if (target == ignoreIndex) continue;
            if ((uint)target >= (uint)c)
                throw new ArgumentOutOfRangeException("targets", $"CrossEntropy: target {target} at row {r} is outside [0, {c}) and is not ignore_index {ignoreIndex}.");
            var row = new ReadOnlySpan<float>(xp + r * c, c);
            float max = TensorPrimitives.Max(row);
            double s = 0;
            for (int j = 0; j < c; j++) s += Math.Exp(row[j] - max);
            double l = max + Math.Log(s);
            lse[r] = (float)l;
            double nll = l - row[target];
            double smooth = l - TensorPrimitives.Sum(row) / (double)c;
            total += ((1 - labelSmoothing) * nll + labelSmoothing * smooth) * (rowWeights is null ? 1.0 : rowWeights[r]);
            valid++;
        }
        return (total, valid);
    }

    /// <summary>dx rows = (exp(x − lse) − ε/C)·scale, minus (1 − ε)·scale at the target.</summary>
    public static void Backward(float* xp, int[] t, float[] lse, float* dp, long rows, int c, float rowScale, int ignoreIndex, float labelSmoothing, float[]? rowWeights = null)
    {
        float eps = labelSmoothing / c;
        for (long r = 0; r < rows; r++)
        {
            int target = t[r];
            if (target == ignoreIndex) continue;
            float scale = rowWeights is null ? rowScale : rowScale * rowWeights[r];
            float* xr = xp + r * c; float* dr = dp + r * c;
            float l = lse[r];
            for (int j = 0; j < c; j++) dr[j] = (MathF.Exp(xr[j] - l) - eps) * scale;
            dr[target] -= (1 - labelSmoothing) * scale;
        }
    }
}
