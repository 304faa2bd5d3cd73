// LLaMA-Adapter (ADAPTION_PROMPT) against the PyTorch oracle (tests/oracles/make_peft_prompt_fixtures.py), written
// after PEFT's AdaptedAttention (LLaMA, GQA: the prompt keys have the key/value heads) and AdaptedAttentionGPT
// (GPT-2: no output projection on the adapter term): logits, gradients of adaption_prompt and adaption_gate, PEFT
// folders, zero-init gate = base model, and KV-cache decoding.
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

public class AdaptionPromptTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void LogitsAndGradientsMatchPyTorch(string baseName)
    {
        using var model = PeftPromptOracle.BaseModel(baseName);
        var adapter = AdaptionPromptAdapter.Attach(model, adapterLen: 3, adapterLayers: 1);
        PeftPromptOracle.CheckForwardAndGradients(log, $"adaption_{baseName}", model, adapter.StateDict());
    }

    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void ThePeftFolderLoadsAndGivesTheOracleLogits(string baseName) => PeftPromptOracle.CheckFolderLoads(log, $"adaption_{baseName}", baseName);

    [Fact]
    public void DecodingWithTheCacheEqualsTheFullForward() => KvCacheCheck.Run("adaption_llama_gqa", "llama_gqa");

    [Fact]
    public void TheZeroGateStartsAtTheBaseModelAndDetachRestoresIt()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var fx = PeftPromptOracle.Oracle("adaption_llama_gqa");
        var before = PeftPromptOracle.BaseLogits(model, fx);
        var adapter = AdaptionPromptAdapter.Attach(model, 4, 2, seed: 3);
        Assert.Equal(before, PeftPromptOracle.BaseLogits(model, fx));
        foreach (var (name, p) in adapter.StateDict()) if (name.EndsWith("gate")) p.CopyFrom(Tensor.FromArray([0.5f], 1));
        Assert.True(Close.MaxAbsDiff(PeftPromptOracle.BaseLogits(model, fx), before.Select(v => (double)v).ToArray()) > 1e-3);
        adapter.Detach();
        Assert.Equal(before, PeftPromptOracle.BaseLogits(model, fx));
    }

    [Fact]
    public void BadConfigsAreErrors()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var c = PeftAdapterFile.ReadConfig(PeftPromptOracle.CaseDir("adaption_llama_gqa"));
        c["adapter_layers"] = 3;
        Assert.Contains("adapter_layers 3", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(c, model)).Message);
        var gpt = PeftAdapterFile.ReadConfig(PeftPromptOracle.CaseDir("adaption_gpt2"));
        Assert.Contains("'attn'", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(gpt, model)).Message);
    }
}
