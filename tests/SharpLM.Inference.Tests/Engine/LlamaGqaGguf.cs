// LlamaGqaGguf: the llama_gqa fixture (GQA, 2 layers, context 32; checked against PyTorch in
// SharpLM.Models.Tests) loaded as DecoderModel and written as GGUF in any stored type under a temporary
// folder, plus the reference logits of a whole sequence — shared by the engine test classes.
using SharpLM.Models.Checkpoints;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;

namespace SharpLM.Inference.Tests.Engine;

internal sealed class LlamaGqaGguf : IDisposable
{
    public static readonly string FixtureDir = Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", "llama_gqa");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-engine-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public DecoderModel Model { get; } = ModelFile.Load(FixtureDir);

    public LlamaGqaGguf() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>The fixture written as GGUF with 2-D weights of <paramref name="type"/> (written once per instance).</summary>
    public string Gguf(GgmlType type)
    {
        var path = Path.Combine(_dir, $"llama_gqa-{type}.gguf");
        if (!File.Exists(path)) ModelFile.Save(Model, path, ModelFileFormat.Gguf, type);
        return path;
    }

    /// <summary>Logits [T, V] of the whole sequence by <paramref name="model"/> (default: the fixture), no cache.</summary>
    public float[] ReferenceLogits(int[] ids, DecoderModel? model = null) => Logits(model ?? Model, ids);

    /// <summary>Logits [T, V] of the whole sequence by <paramref name="model"/>, no cache.</summary>
    public static float[] Logits(DecoderModel model, int[] ids)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        model.Eval();
        return model.Forward(Tensor.FromArray(ids, 1, ids.Length)).ToArray();
    }

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = MathF.Max(m, MathF.Abs(a[i] - b[i]));
        return m;
    }
}
