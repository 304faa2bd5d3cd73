// Format round trips: the PyTorch-checked tiny LLaMA is loaded from its HF folder, saved as GGUF (F32,
// F16, Q8_0, Q4_0), llama2.c and a HF folder, loaded back, and its logits compared with the original's
// (exactly for lossless formats, within the quantisation error otherwise). Also: detection and errors.
using SharpLM.Models.Checkpoints;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
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

    /// <summary>Target, weight type, and the bound on the relative RMS change of the logits (0 = bit-identical).</summary>
    public static IEnumerable<object[]> Targets =>
    [
        ["model.gguf", GgmlType.F32, 0.0],
        ["model-f16.gguf", GgmlType.F16, 2e-3],
        // Block quantisation is checked bit for bit in Formats/GgufQuantTests; here it runs through a random-weight
        // model of width 32, whose logits are pure noise and amplify weight error (Q8_0 ≈ 1%, Q4_0 ≈ 20% per weight).
        ["model-q8_0.gguf", GgmlType.Q8_0, 6e-2],
        ["model-q4_0.gguf", GgmlType.Q4_0, 8e-1],
        // llama2.c has no field for the RMSNorm epsilon (llama2.c uses 1e-5; this model 1e-6), so the logits move slightly.
        ["model.bin", GgmlType.F32, 1e-3],
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
            var after = Logits(back, ids);
            double maxDiff = reference.Zip(after, (a, b) => Math.Abs(a - b)).Max();
            double rel = Math.Sqrt(reference.Zip(after, (a, b) => (double)(a - b) * (a - b)).Sum() / reference.Sum(a => (double)a * a));
            log.WriteLine($"{target} ({type}): max |Δlogit| = {maxDiff:E2}, relative RMS change = {rel:E2}");
            if (tolerance == 0) Assert.Equal(reference, after);
            else Assert.True(rel <= tolerance, $"{target}: relative RMS change of the logits {rel} > {tolerance}");
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
