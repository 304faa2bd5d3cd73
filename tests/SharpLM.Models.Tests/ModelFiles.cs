// ModelFiles: loads a model.safetensors into name → tensor (test-side until the Formats reader lands).
using SharpLM.Tensors;
using SharpLM.TestSupport;

namespace SharpLM.Models.Tests;

internal static class ModelFiles
{
    public static Dictionary<string, Tensor> LoadWeights(string path)
    {
        var fx = new OracleFixture(path);
        return fx.Names.ToDictionary(n => n, n => fx.Load(n));
    }
}
