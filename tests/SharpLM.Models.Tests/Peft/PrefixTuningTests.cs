// Prefix tuning against the PyTorch oracle (tests/oracles/make_peft_prompt_fixtures.py): per-layer key/value prefixes
// on the tiny LLaMA (RoPE, GQA: the prefix has the key/value heads) and GPT-2 (learned positions), with and without
// the reparameterisation MLP — logits, gradients, PEFT folders loading, KV-cache decoding with the prefix cached once.
using System.Text.Json.Nodes;
using SharpLM.Models.Peft;
using SharpLM.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

public class PrefixTuningTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("llama_gqa", false)]
    [InlineData("llama_gqa", true)]
    [InlineData("gpt2", false)]
    [InlineData("gpt2", true)]
    public void LogitsAndGradientsMatchPyTorch(string baseName, bool projection)
    {
        using var model = PeftPromptOracle.BaseModel(baseName);
        var adapter = PrefixTuningAdapter.Attach(model, 3, projection, encoderHiddenSize: projection ? 20 : null);
        var trainable = adapter.Encoder.NamedParameters().ToDictionary(p => p.Name, p => p.Param);
        PeftPromptOracle.CheckForwardAndGradients(log, $"prefix_{(projection ? "proj" : "plain")}_{baseName}", model, trainable);
    }

    [Theory]
    [InlineData("prefix_plain_llama_gqa", "llama_gqa")]
    [InlineData("prefix_proj_llama_gqa", "llama_gqa")]
    [InlineData("prefix_plain_gpt2", "gpt2")]
    [InlineData("prefix_proj_gpt2", "gpt2")]
    public void ThePeftFolderLoadsAndGivesTheOracleLogits(string caseName, string baseName) => PeftPromptOracle.CheckFolderLoads(log, caseName, baseName);

    [Theory]
    [InlineData("prefix_plain_llama_gqa", "llama_gqa")]
    [InlineData("prefix_proj_gpt2", "gpt2")]
    public void DecodingWithTheCacheEqualsTheFullForward(string caseName, string baseName) => KvCacheCheck.Run(caseName, baseName);

    [Fact]
    public void GradientsAreTheSameWithActivationCheckpointing()
    {
        // Checkpointing recomputes each block in backward; the prefix is built inside the block from leaf parameters.
        using var model = new SharpLM.Models.Transformer.DecoderModel(SharpLM.Models.Families.HfConfig.Load(PeftPromptOracle.BaseDir("llama_gqa")) with { ActivationCheckpointing = true });
        model.LoadStateDict(ModelFiles.LoadWeights(Path.Combine(PeftPromptOracle.BaseDir("llama_gqa"), "model.safetensors")));
        model.Train(); // dropout is 0: training mode only switches checkpointing on
        var adapter = PrefixTuningAdapter.Attach(model, 3, prefixProjection: true, encoderHiddenSize: 20);
        PeftPromptOracle.CheckForwardAndGradients(log, "prefix_proj_llama_gqa", model, adapter.Encoder.NamedParameters().ToDictionary(p => p.Name, p => p.Param));
    }

    [Fact]
    public void ZeroInitAndDetach()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var fx = PeftPromptOracle.Oracle("prefix_plain_llama_gqa");
        var before = PeftPromptOracle.BaseLogits(model, fx);
        var adapter = PrefixTuningAdapter.Attach(model, 3, prefixProjection: true, zeroInit: true);
        Assert.All(adapter.StateDict()[PromptLearningAdapter.TensorName].ToArray(), v => Assert.Equal(0f, v));
        Assert.NotEqual(before, PeftPromptOracle.BaseLogits(model, fx));   // zero keys still take attention weight (PEFT's "zero" init too)
        adapter.Detach();
        Assert.Null(model.VirtualTokens);
        Assert.Equal(before, PeftPromptOracle.BaseLogits(model, fx));
    }

    [Fact]
    public void AnAdapterForAnotherBaseIsAnError()
    {
        using var model = PeftPromptOracle.BaseModel("gpt2");
        var config = PeftAdapterFile.ReadConfig(PeftPromptOracle.CaseDir("prefix_plain_llama_gqa"));
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach(config, model));
        Assert.Contains("token_dim = 16", e.Message);
        Assert.Contains("is 32", e.Message);
        var extra = PeftAdapterFile.ReadConfig(PeftPromptOracle.CaseDir("prefix_plain_gpt2"));
        extra["modules_to_save"] = new JsonArray("lm_head");
        Assert.Contains("modules_to_save", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(extra, model)).Message);
        Assert.Null(model.VirtualTokens);
    }
}
