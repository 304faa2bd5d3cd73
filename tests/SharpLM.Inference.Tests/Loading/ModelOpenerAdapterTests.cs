// ModelOpener with PEFT adapters (what `sharplm merge` and `generate/chat --adapter` use): the engine built from the
// base with the LoRA/DoRA/IA³ adapter merged gives the logits of the DecoderModel running the adapter unmerged (the
// PyTorch-checked path, 1e-5 relative to the largest logit); the merged model saved as a HF folder and as GGUF opens
// with those logits and gives the same greedy tokens; adapters that do not fit fail with a one-line error.
using SharpLM.Inference.Generation;
using SharpLM.Inference.Loading;
using SharpLM.Inference.Sampling;
using SharpLM.Inference.Tests.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Formats;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class ModelOpenerAdapterTests : IDisposable
{
    private static readonly int[] Prompt = [3, 17, 42, 5, 9];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-adapter-" + Guid.NewGuid().ToString("N")[..8]);

    public ModelOpenerAdapterTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Adapter(string name) => ModelOpenerTests.Fixture(Path.Combine("peft", name));

    /// <summary>The base with the adapter attached unmerged (the path the oracle tests check against PyTorch).</summary>
    private static DecoderModel Unmerged(string baseName, string adapter)
    {
        var model = ModelFile.Load(ModelOpenerTests.Fixture(baseName));
        model.Eval();
        PeftAdapterFile.Load(Adapter(adapter), model);
        return model;
    }

    private static int[] Greedy(Func<int[], float[]> logitsOfLast, int steps)
    {
        var seq = Prompt.ToList();
        for (int i = 0; i < steps; i++)
        {
            var l = logitsOfLast(seq.ToArray());
            seq.Add(Array.IndexOf(l, l.Max()));
        }
        return seq.Skip(Prompt.Length).ToArray();
    }

    private static float[] Last(float[] all, int vocab) => all[^vocab..];

    [Theory]
    [InlineData("llama_gqa", "llama_lora")]
    [InlineData("llama_gqa", "llama_dora")]
    [InlineData("gpt2", "gpt2_lora")]
    [InlineData("gpt2", "gpt2_ia3")]
    public void MergedEngineHfFolderAndGgufMatchTheUnmergedAdapter(string baseName, string adapter)
    {
        using var reference = Unmerged(baseName, adapter);
        int v = reference.Config.VocabSize;
        var expected = LlamaGqaGguf.Logits(reference, Prompt);
        float tol = 1e-5f * Math.Max(1f, expected.Max(MathF.Abs));
        var expectedTokens = Greedy(s => Last(LlamaGqaGguf.Logits(reference, s), v), 10);

        using (var opened = ModelOpener.Open(ModelOpenerTests.Fixture(baseName), new ModelOpenOptions { Adapters = [Adapter(adapter)] }))
        {
            Assert.True(opened.OnEngine);
            var logits = new float[v];
            opened.Lm.Forward(Prompt, 0, logits);
            Assert.True(LlamaGqaGguf.MaxAbsDiff(logits, Last(expected, v)) <= tol, $"engine with merged {adapter}: max |Δ| {LlamaGqaGguf.MaxAbsDiff(logits, Last(expected, v)):E2}");
        }

        using (var merged = ModelOpener.Open(ModelOpenerTests.Fixture(baseName), new ModelOpenOptions { Executor = false, DecoderModel = true, Adapters = [Adapter(adapter)] }))
        {
            Assert.Empty(PeftLayers.Wrappers(merged.Model));
            var all = LlamaGqaGguf.Logits(merged.Model, Prompt);
            Assert.True(LlamaGqaGguf.MaxAbsDiff(all, expected) <= tol, $"merged DecoderModel: max |Δ| {LlamaGqaGguf.MaxAbsDiff(all, expected):E2}");
            ModelFile.Save(merged.Model, Path.Combine(_dir, "hf"), ModelFileFormat.HfDirectory);
            ModelFile.Save(merged.Model, Path.Combine(_dir, "m.gguf"), ModelFileFormat.Gguf);
        }

        using (var hf = ModelFile.Load(Path.Combine(_dir, "hf")))
            Assert.True(LlamaGqaGguf.MaxAbsDiff(LlamaGqaGguf.Logits(hf, Prompt), expected) <= tol);

        using var gguf = ModelOpener.Open(Path.Combine(_dir, "m.gguf"));
        Assert.True(gguf.OnEngine);
        var res = new TextGenerator(gguf.Lm).Generate(Prompt, new GenerationOptions { MaxNewTokens = 10, Sampling = SamplingOptions.Greedy });
        Assert.Equal(expectedTokens, res.Tokens);
    }

    [Fact]
    public void AnAdapterThatDoesNotFitIsBadInputNamingTheFile()
    {
        var wrongBase = Assert.Throws<ModelFormatException>(() => ModelOpener.Open(ModelOpenerTests.Fixture("llama_gqa"), new ModelOpenOptions { Adapters = [Adapter("llama_other_base")] }));
        Assert.Contains("[4, 48]", wrongBase.Message);
        Assert.True(ModelOpener.IsBadInput(wrongBase));
        var wrongFamily = Assert.Throws<ModelFormatException>(() => ModelOpener.Open(ModelOpenerTests.Fixture("gpt2"), new ModelOpenOptions { Adapters = [Adapter("llama_ia3")] }));
        Assert.Contains("transformer.h.*.attn.c_attn", wrongFamily.Message);
        Assert.DoesNotContain("adapter_config.json: adapter_config.json", wrongFamily.Message);
        Assert.Throws<ModelFormatException>(() => ModelOpener.Open(ModelOpenerTests.Fixture("gpt2"), new ModelOpenOptions { Adapters = [Path.Combine(_dir, "none")] }));
    }
}
