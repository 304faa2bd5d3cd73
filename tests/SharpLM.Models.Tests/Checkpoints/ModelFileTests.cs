// Format round trips: the PyTorch-checked tiny LLaMA is loaded from its HF folder, saved as GGUF (F32,
// F16, Q8_0, Q4_0), llama2.c and a HF folder, loaded back, and its logits compared with the original's
// (exactly for lossless formats, within the quantisation error otherwise). Also: detection and errors.
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Formats;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Checkpoints;

public class ModelFileTests(ITestOutputHelper log)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static float[] Logits(DecoderModel m, Tensor ids)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        m.Eval();
        return m.Forward(ids).ToArray();
    }

    public static IEnumerable<object[]> Targets =>
    [
        ["model.gguf", GgmlType.F32, 0.0],
        ["model-f16.gguf", GgmlType.F16, 5e-3],
        ["model-q8_0.gguf", GgmlType.Q8_0, 5e-2],
        ["model-q4_0.gguf", GgmlType.Q4_0, 5e-1],
        ["model.bin", GgmlType.F32, 0.0],
        ["hf-out", GgmlType.F32, 0.0],
    ];

    [Theory]
    [MemberData(nameof(Targets))]
    public void RoundTripKeepsTheLogits(string target, GgmlType type, double tolerance)
    {
        var fx = new OracleFixture(Path.Combine(Fixture("llama_gqa"), "oracle.safetensors"));
        var ids = fx.Load("input_ids");
        using var original = ModelFile.Load(Fixture("llama_gqa"));
        var reference = Logits(original, ids);
        Assert.True(Close.MaxAbsDiff(reference, fx.Values("logits")) <= 1e-4); // the HF folder loads as PyTorch computed it
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-modelfile-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, target);
            ModelFile.Save(original, path, ModelFile.FromTargetPath(path), type);
            Assert.Equal(ModelFile.FromTargetPath(path), ModelFile.Detect(path));
            using var back = ModelFile.Load(path);
            Assert.Equal(original.Config with { }, back.Config with { NormEps = original.Config.NormEps });
            double diff = reference.Zip(Logits(back, ids), (a, b) => Math.Abs(a - b)).Max();
            log.WriteLine($"{target} ({type}): max |Δlogit| = {diff:E2}");
            Assert.True(diff <= tolerance, $"{target}: max |Δlogit| {diff} > {tolerance}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadFilesGiveClearErrors()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-modelfile-bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var junk = Path.Combine(dir, "junk.dat");
            File.WriteAllText(junk, "hello");
            var e = Assert.Throws<ModelFormatException>(() => ModelFile.Detect(junk));
            Assert.Contains("junk.dat", e.Message);
            var truncated = Path.Combine(dir, "t.gguf");
            using (var m = ModelFile.Load(Fixture("llama_gqa"))) ModelFile.Save(m, truncated, ModelFileFormat.Gguf);
            var bytes = File.ReadAllBytes(truncated);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var t = Assert.Throws<ModelFormatException>(() => ModelFile.Load(truncated));
            Assert.Contains("t.gguf", t.Message);
            Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(dir, "missing.gguf")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
