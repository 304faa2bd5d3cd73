// Embedding: a [num, dim] lookup table (tokens, learned positions, token types).
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>Lookup table of row vectors.</summary>
public sealed class Embedding : Module
{
    /// <summary>The table [num, dim].</summary>
    public Tensor Weight { get; }

    public Embedding(int num, int dim, Generator gen, float std = 0.02f) => Weight = Parameter("weight", Normal([num, dim], gen, std));

    /// <summary>ids (i32 [...]) → [..., dim].</summary>
    public Tensor Forward(Tensor ids) => Hooked(ids, Ops.Embedding(Weight, ids));
}
