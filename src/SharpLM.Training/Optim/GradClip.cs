// GradClip: global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: the L2 norm over all
// gradients; if it exceeds max_norm, every gradient is scaled by max_norm / (norm + 1e-6).
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

public static class GradClip
{
    /// <summary>Clips in place and returns the norm before clipping.</summary>
    public static float ClipGlobalNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        var ps = parameters.Where(p => p.Grad is not null).ToList();
        double sq = 0;
        foreach (var p in ps) foreach (var g in p.Grad!.AsSpan()) sq += (double)g * g;
        float norm = (float)Math.Sqrt(sq);
        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1)
            foreach (var p in ps) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad!.AsSpan(), coef, p.Grad!.AsSpan());
        return norm;
    }
}
