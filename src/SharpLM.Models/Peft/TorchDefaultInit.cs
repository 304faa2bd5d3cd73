// TorchDefaultInit: PyTorch's default initialisations that PEFT's prompt encoders inherit — nn.Linear's weight and
// bias uniform in ±1/√in (kaiming_uniform with a = √5), nn.LSTM's uniform in ±1/√hidden, nn.Embedding's N(0, 1) —
// so a freshly attached encoder starts from the same distributions as PEFT's (not the same random numbers).
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

internal static class TorchDefaultInit
{
    /// <summary>Fills <paramref name="p"/> uniformly in [−bound, bound).</summary>
    public static void Uniform(Tensor p, Generator gen, float bound)
    {
        using var r = Tensor.Rand(p.Shape, gen, -bound, bound);
        p.CopyFrom(r);
    }

    /// <summary>nn.Linear's default: weight and bias uniform in ±1/√in.</summary>
    public static Linear Linear(int inFeatures, int outFeatures, Generator gen)
    {
        var l = new Linear(inFeatures, outFeatures, bias: true, gen);
        float bound = 1f / MathF.Sqrt(inFeatures);
        Uniform(l.Weight, gen, bound);
        Uniform(l.Bias!, gen, bound);
        return l;
    }
}
