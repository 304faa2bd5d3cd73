// TokenWindowSampler: draws training batches as random windows of a token stream (nanoGPT's get_batch):
// inputs x = tokens[i .. i+T), targets y = tokens[i+1 .. i+T]. Window starts come from a seeded generator
// whose state is part of a checkpoint, so a resumed run sees exactly the batches the uninterrupted run would.
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Data;

/// <summary>Random-window batches over a token array.</summary>
public sealed class TokenWindowSampler : IBatchSource<(Tensor X, Tensor Y)>
{
    private readonly int[] _tokens;
    private readonly Generator _rng;

    public int Context { get; }
    public int Batch { get; }

    public TokenWindowSampler(int[] tokens, int batch, int context, ulong seed)
    {
        if (tokens.Length < context + 2)
            throw new ArgumentException($"TokenWindowSampler: {tokens.Length} tokens are too few for windows of {context} + 1 (need at least {context + 2}).");
        _tokens = tokens; Batch = batch; Context = context;
        _rng = new Generator(seed);
    }

    /// <summary>The generator state (for checkpoints).</summary>
    public ulong[] State { get => _rng.GetState(); set => _rng.SetState(value); }

    /// <summary>Next batch: (x, y) as i32 [Batch, Context].</summary>
    public (Tensor X, Tensor Y) Next()
    {
        var x = new int[Batch * Context];
        var y = new int[Batch * Context];
        int span = _tokens.Length - Context - 1;
        for (int b = 0; b < Batch; b++)
        {
            int start = _rng.NextInt(span + 1);
            Array.Copy(_tokens, start, x, b * Context, Context);
            Array.Copy(_tokens, start + 1, y, b * Context, Context);
        }
        return (Tensor.FromArray(x, Batch, Context), Tensor.FromArray(y, Batch, Context));
    }
}
