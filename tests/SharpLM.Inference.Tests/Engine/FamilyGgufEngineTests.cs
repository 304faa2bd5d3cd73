// Every family through GGUF: each PyTorch-checked fixture (GPT-2, LLaMA GQA, LLaMA with rope_parameters, Qwen2
// with q/k/v bias, Baichuan-13B-style ALiBi with W_pack) written as GGUF in llama.cpp's layout for its arch
// (gpt2, llama, qwen2, baichuan) runs in the engine with PyTorch's logits at every position (F32 ≤ 1e-4, F16
// within the weights' rounding), and reads back into a DecoderModel with the same config and logits.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public sealed class FamilyGgufEngineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-family-gguf-" + Guid.NewGuid().ToString("N")[..8]);

    public FamilyGgufEngineTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    [Theory]
    [InlineData("gpt2", "gpt2", GgmlType.F32, 1e-4)]
    [InlineData("llama_gqa", "llama", GgmlType.F32, 1e-4)]
    [InlineData("llama_rope_params", "llama", GgmlType.F32, 1e-4)]
    [InlineData("qwen2_mqa", "qwen2", GgmlType.F32, 1e-4)]
    [InlineData("baichuan_alibi", "baichuan", GgmlType.F32, 1e-4)]
    [InlineData("baichuan2_normhead", "baichuan", GgmlType.F32, 1e-4)]
    [InlineData("qwen3_qknorm", "qwen3", GgmlType.F32, 1e-4)]
    [InlineData("gpt2", "gpt2", GgmlType.F16, 2e-2)]
    [InlineData("qwen2_mqa", "qwen2", GgmlType.F16, 2e-2)]
    [InlineData("baichuan_alibi", "baichuan", GgmlType.F16, 2e-2)]
    [InlineData("qwen3_qknorm", "qwen3", GgmlType.F16, 2e-2)]
    public void GgufOfEveryFamilyRunsInTheEngineWithPyTorchLogits(string name, string arch, GgmlType type, double tolerance)
    {
        var fx = new OracleFixture(Path.Combine(Fixture(name), "oracle.safetensors"));
        using var model = ModelFile.Load(Fixture(name));
        string path = Path.Combine(_dir, $"{name}-{type}.gguf");
        ModelFile.Save(model, path, ModelFileFormat.Gguf, type);
        using (var g = GgufFile.Open(path)) Assert.Equal(arch, g.GetString(GgufKeys.GeneralArchitecture));

        using var engine = DecoderEngine.Open(path, maxSequences: 2);
        Assert.Equal(model.Config with { }, engine.Config with { InitStd = model.Config.InitStd });
        var ids = fx.Values("input_ids").Select(v => (int)v).ToArray();
        int b = fx.Shape("input_ids")[0], t = fx.Shape("input_ids")[1], v = engine.VocabSize;
        var expected = fx.Values("logits");
        var logits = new float[t * v];
        for (int row = 0; row < b; row++)
        {
            engine.ForwardAllPositions(ids.AsSpan(row * t, t), 0, logits, slot: row);
            double d = Close.MaxAbsDiff(logits, expected.Skip(row * t * v).Take(t * v).ToArray());
            Assert.True(d <= tolerance, $"{name} {type} row {row}: max |Δ| = {d:E2}");
        }

        // The file reads back into the autograd model with the same config and (F32) the same logits.
        using var back = ModelFile.Load(path);
        Assert.Equal(model.Config with { }, back.Config with { InitStd = model.Config.InitStd });
        if (type != GgmlType.F32) return;
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var input = Tensor.FromArray(ids, b, t);
        Assert.Equal(model.Forward(input).ToArray(), back.Forward(input).ToArray());
    }

    [Theory]
    [InlineData("llama.attention.sliding_window", 8u, "sliding_window")]
    [InlineData("llama.expert_count", 8u, "expert_count")]
    [InlineData("llama.attn_logit_softcapping", 50u, "attn_logit_softcapping")]
    [InlineData("split.count", 2u, "split.count")]
    [InlineData("rope_freqs.weight", 4u, "rope_freqs.weight")]
    public void KeysThatWouldChangeTheNumbersAreRefused(string key, uint value, string named)
    {
        using var model = ModelFile.Load(Fixture("llama_gqa"));
        string good = Path.Combine(_dir, "good.gguf"), bad = Path.Combine(_dir, "bad.gguf");
        ModelFile.Save(model, good, ModelFileFormat.Gguf);
        using (var g = GgufFile.Open(good))
        {
            var w = new GgufWriter();
            foreach (var k in g.Keys) w.Add(k, g.Metadata[k]);
            if (key.EndsWith(".weight")) w.AddTensorBytes(key, GgmlType.F32, [(int)value], new byte[value * 4]);
            else w.Add(key, GgufValue.UInt32(value));
            foreach (var t in g.Tensors) w.AddTensorBytes(t.Name, t.Type, t.Shape, t.Data.ToArray());
            w.Write(bad);
        }
        var e = Assert.Throws<ModelFormatException>(() => DecoderEngine.Open(bad));
        Assert.Contains(named, e.Message);
        Assert.Contains("bad.gguf", e.Message);
        Assert.Throws<ModelFormatException>(() => ModelFile.Load(bad));
    }
}
