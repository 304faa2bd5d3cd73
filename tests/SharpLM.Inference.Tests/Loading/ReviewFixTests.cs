// Cases found in review of the seams work: Hub-style GPT-2 checkpoints (no "transformer." prefix, causal-mask
// buffers, gpt2-medium's leftover keys) load with PyTorch's logits; a GGUF whose weight type the engine cannot run
// (Q5_0) opens on the engine built from its dequantised weights instead of failing; a RoPE pairs-layout model runs in the
// in-memory engine with DecoderModel's logits and is refused by the HF/GGUF writers, which cannot store it.
using System.Text.Json.Nodes;
using SharpLM.Formats.Gguf;
using SharpLM.Formats.Safetensors;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class ReviewFixTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-review-" + Guid.NewGuid().ToString("N")[..8]);

    public ReviewFixTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    private static double LogitsDiff(DecoderModel model, string fixture)
    {
        var fx = new OracleFixture(Path.Combine(Fixture(fixture), "oracle.safetensors"));
        model.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        return Close.MaxAbsDiff(model.Forward(fx.Load("input_ids")).ToArray(), fx.Values("logits"));
    }

    [Fact]
    public void HubStyleGpt2CheckpointLoadsWithPyTorchLogits()
    {
        string hub = Path.Combine(_dir, "gpt2-hub");
        Directory.CreateDirectory(hub);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture("gpt2"), "config.json")))!.AsObject();
        config["n_special"] = 0; config["predict_special_tokens"] = true;   // as gpt2-medium's config.json carries them
        File.WriteAllText(Path.Combine(hub, "config.json"), config.ToJsonString());
        using (var ck = ShardedCheckpoint.Open(Fixture("gpt2")))
        using (var scope = TensorScope.Begin())
        {
            var tensors = ck.Names.Select(n => KeyValuePair.Create(n.StartsWith("transformer.") ? n["transformer.".Length..] : n, ck[n].ToTensor())).ToList();
            for (int i = 0; i < 2; i++) tensors.Add(KeyValuePair.Create($"h.{i}.attn.bias", Tensor.Zeros([1, 1, 32, 32])));  // the causal-mask buffer
            SharpLM.Formats.Safetensors.SafetensorsWriter.Write(Path.Combine(hub, "model.safetensors"), tensors);
        }
        using var model = ModelFile.Load(hub);
        double d = LogitsDiff(model, "gpt2");
        Assert.True(d <= 1e-4, $"max |Δ| = {d:E2}");
    }

    [Fact]
    public void AGgufTheEngineCannotRunFallsBackToTheReferenceModel()
    {
        using var model = ModelFile.Load(Fixture("llama_gqa"));
        string path = Path.Combine(_dir, "q5_0.gguf");
        ModelFile.Save(model, path, ModelFileFormat.Gguf, GgmlType.Q5_0);
        Assert.Throws<NotSupportedException>(() => DecoderEngine.Open(path));
        // The opener dequantises the file and builds the engine from the f32 weights in memory instead.
        using var opened = ModelOpener.Open(path, new ModelOpenOptions { Tokenizer = TokenizerUse.None });
        Assert.True(opened.OnEngine);
        var logits = new float[opened.Lm.VocabSize];
        opened.Lm.Forward([3, 17, 42], 0, logits);
        using var dequantised = ModelFile.Load(path);
        dequantised.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var reference = dequantised.Forward(Tensor.FromArray(new[] { 3, 17, 42 }, 1, 3)).ToArray().Skip(2 * logits.Length).Select(x => (double)x).ToArray();
        Assert.True(Close.MaxAbsDiff(logits, reference) <= 1e-4);
    }

    [Fact]
    public void PairsLayoutRunsInTheEngineAndIsRefusedByWritersThatCannotStoreIt()
    {
        var c = DecoderPresets.TinyLlama with { RopeLayout = RopeLayout.Pairs };
        using var model = new DecoderModel(c, seed: 7);
        model.Eval();
        int[] ids = [1, 5, 9, 13, 2, 40, 7];
        float[] reference;
        using (var scope = TensorScope.Begin())
        using (var _ = GradMode.NoGrad())
            reference = model.Forward(Tensor.FromArray(ids, 1, ids.Length)).ToArray();
        using var engine = DecoderEngine.FromModel(model);
        var all = new float[ids.Length * engine.VocabSize];
        engine.ForwardAllPositions(ids, 0, all);
        Assert.True(Close.MaxAbsDiff(all, reference.Select(x => (double)x).ToArray()) <= 1e-4);
        Assert.Contains("rope_layout", Assert.Throws<NotSupportedException>(() => HfConfigWriter.ToJson(c)).Message);
        Assert.Contains("rope_layout", Assert.Throws<NotSupportedException>(() => ModelFile.Save(model, Path.Combine(_dir, "p.gguf"), ModelFileFormat.Gguf)).Message);
        Assert.False(File.Exists(Path.Combine(_dir, "p.gguf")));
        Assert.Contains("pre_norm", Assert.Throws<NotSupportedException>(() => HfConfigWriter.ToJson(DecoderPresets.TinyLlama with { PreNorm = false })).Message);
        Assert.Contains("positions", Assert.Throws<NotSupportedException>(() => HfConfigWriter.ToJson(DecoderPresets.TinyGpt2 with { Positions = PositionKind.Rotary })).Message);
    }
}
