// ParamGroup: parameters that share optimizer hyper-parameters (PyTorch's param_groups), e.g. weight decay
// on matrices but not on norms, biases and embeddings.
using SharpLM.Tensors;

namespace SharpLM.Training.Optim;

/// <summary>A set of parameters with their own learning-rate multiplier and weight decay.</summary>
public sealed record ParamGroup(IReadOnlyList<(string Name, Tensor Param)> Params, float WeightDecay, float LrScale = 1f)
{
    /// <summary>
    /// The usual split: weight decay on weight matrices of linear layers; none on norms, biases and
    /// embeddings (names containing "norm", "ln_", "LayerNorm", "embed", "wte", "wpe", or 1-D tensors).
    /// </summary>
    public static IReadOnlyList<ParamGroup> DecayMatricesOnly(IEnumerable<(string Name, Tensor Param)> named, float weightDecay)
    {
        static bool NoDecay(string n, Tensor p) =>
            p.Rank < 2 || n.Contains("norm", StringComparison.OrdinalIgnoreCase) || n.Contains("ln_") || n.Contains("embed") || n.Contains(".wte.") || n.Contains(".wpe.");
        var all = named.ToList();
        return [new(all.Where(p => !NoDecay(p.Name, p.Param)).ToList(), weightDecay), new(all.Where(p => NoDecay(p.Name, p.Param)).ToList(), 0f)];
    }
}
