// Checkpointing: activation (gradient) checkpointing — run a block without recording its intermediate
// tensors, keep only its input, and recompute the block in backward to get the gradients (Chen et al.
// 2016, "Training Deep Nets with Sublinear Memory Cost"; torch.utils.checkpoint). Parameters inside the
// block are leaves, so the recomputed backward accumulates their gradients directly; the input gradient
// is returned to the outer tape. The block must be deterministic (dropout seeds are fixed per call).
namespace SharpLM.Tensors.Autograd;

public static class Checkpointing
{
    /// <summary>y = block(x), recording one node instead of the block's whole graph.</summary>
    public static Tensor Run(Func<Tensor, Tensor> block, Tensor x)
    {
        if (!GradMode.Enabled) return block(x);
        Tensor y;
        using (GradMode.NoGrad()) y = block(x);
        return GradRecorder.RecordAlways(y, "checkpoint", [x], g =>
        {
            // Recompute with recording on: a fresh leaf stands for x so the input gradient can be read back.
            var xr = x.Detach();
            xr.RequiresGrad = x.RequiresGrad;
            Tensor yr;
            using (GradMode.EnableGrad()) yr = block(xr);
            if (yr.RequiresGrad) yr.Backward(g);
            // Hand the outer tape a scoped copy; the leaf's own gradient buffer goes back to the pool.
            var gx = xr.Grad?.To(DType.F32);
            xr.Grad?.Dispose();
            xr.Grad = null;
            return [gx];
        });
    }
}
