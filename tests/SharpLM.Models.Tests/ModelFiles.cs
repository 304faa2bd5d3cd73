// ModelFiles: reads a model.safetensors through the production reader into name → tensor.
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Tensors;

namespace SharpLM.Models.Tests;

internal static class ModelFiles
{
    public static Dictionary<string, Tensor> LoadWeights(string path)
    {
        using var f = SafetensorsFile.Open(path);
        return f.Tensors.ToDictionary(t => t.Name, t => t.ToTensor());
    }
}
