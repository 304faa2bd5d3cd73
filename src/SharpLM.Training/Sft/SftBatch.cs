// SftBatch: one micro-batch of SFT rows — inputs, targets (−100 outside assistant turns and on padding), a
// position per token (restarting at 0 for every session) and segment ids (one per session of a packed row, 0
// for padding; null when every row holds one session), plus the host-side bookkeeping the loss weights need
// (which session and which assistant turn each target belongs to), an optional pretraining batch for the
// auxiliary LM loss and the seed of this batch's NEFTune noise.
using SharpLM.Tensors;

namespace SharpLM.Training.Sft;

/// <summary>A micro-batch of (packed) SFT rows.</summary>
/// <param name="X">Input ids i32 [B, T].</param>
/// <param name="Y">Targets i32 [B, T] (−100: not in the loss).</param>
/// <param name="Positions">Position of each token i32 [B, T].</param>
/// <param name="Segments">Segment ids i32 [B, T], or null (one session per row).</param>
/// <param name="Session">Per target (row-major): index of its session in this micro-batch, −1 on padding.</param>
/// <param name="Turn">Per target: its assistant turn within the session, −1 when ignored.</param>
/// <param name="Pretrain">A pretraining window batch for the auxiliary LM loss, or null.</param>
/// <param name="NoiseSeed">Seeds the NEFTune noise of this batch.</param>
public sealed record SftBatch(Tensor X, Tensor Y, Tensor Positions, Tensor? Segments, int[] Session, int[] Turn,
    (Tensor X, Tensor Y)? Pretrain = null, ulong NoiseSeed = 0)
{
    /// <summary>The targets as a host array.</summary>
    public int[] Labels => Y.ToInt32Array();
}
