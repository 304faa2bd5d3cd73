// Houlsby adapters against the PyTorch oracle (tests/oracles/make_peft_prompt_fixtures.py): logits and adapter
// gradients on the tiny LLaMA (GQA) and GPT-2, the adapter folder loading, the zero-initialised start being the base
// model, detaching, and the bad-input errors.
using System.Text.Json.Nodes;
using SharpLM.Models.Peft;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

public class HoulsbyAdapterTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("llama_gqa", "silu")]
    [InlineData("gpt2", "gelu_new")]
    public void LogitsAndGradientsMatchPyTorch(string baseName, string act)
    {
        using var model = PeftPromptOracle.BaseModel(baseName);
        var adapter = HoulsbyAdapter.Attach(model, adapterSize: null, reductionFactor: 4, act, ["attn", "ffn"]);
        Assert.Equal(2 * model.Config.Layers, adapter.Wrapped.Count);
        PeftPromptOracle.CheckForwardAndGradients(log, $"houlsby_{baseName}", model, adapter.StateDict());
    }

    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void TheFolderLoadsAndGivesTheOracleLogits(string baseName) => PeftPromptOracle.CheckFolderLoads(log, $"houlsby_{baseName}", baseName);

    [Fact]
    public void AFreshAdapterIsTheBaseModelAndDetachRestoresIt()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var fx = PeftPromptOracle.Oracle("houlsby_llama_gqa");
        var before = PeftPromptOracle.BaseLogits(model, fx);
        var adapter = HoulsbyAdapter.Attach(model, adapterSize: 3, reductionFactor: null, "relu", ["attn", "ffn"], seed: 5);
        Assert.Equal(before, PeftPromptOracle.BaseLogits(model, fx));             // up projection starts at zero
        foreach (var p in adapter.Parameters) { using var r = Tensor.Randn(p.Shape, new SharpLM.Tensors.Rng.Generator(1), 0.3f); p.CopyFrom(r); }
        Assert.True(Close.MaxAbsDiff(PeftPromptOracle.BaseLogits(model, fx), before.Select(v => (double)v).ToArray()) > 1e-3);
        adapter.Detach();
        Assert.Equal(before, PeftPromptOracle.BaseLogits(model, fx));
        Assert.DoesNotContain(model.NamedModules(), m => m.Module is HoulsbyLinear);
    }

    [Fact]
    public void SaveThenLoadGivesTheSameLogits()
    {
        using var model = PeftPromptOracle.BaseModel("gpt2");
        var fx = PeftPromptOracle.Oracle("houlsby_gpt2");
        var adapter = PeftAdapterFile.Load(PeftPromptOracle.CaseDir("houlsby_gpt2"), model);
        var logits = PeftPromptOracle.BaseLogits(model, fx);
        string dir = Path.Combine(Path.GetTempPath(), "sharplm-houlsby-" + Guid.NewGuid().ToString("N"));
        try
        {
            PeftAdapterFile.Save(dir, adapter);
            adapter.Detach();
            PeftAdapterFile.Load(dir, model);
            Assert.Equal(logits, PeftPromptOracle.BaseLogits(model, fx));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void BadConfigsAreErrorsNamingTheField()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        JsonObject Config() => JsonNode.Parse(File.ReadAllText(Path.Combine(PeftPromptOracle.CaseDir("houlsby_llama_gqa"), "adapter_config.json")))!.AsObject();
        var unknown = Config(); unknown["residual_before_ln"] = false;
        Assert.Contains("'residual_before_ln'", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(unknown, model)).Message);
        var act = Config(); act["non_linearity"] = "mish";
        Assert.Contains("non_linearity 'mish'", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(act, model)).Message);
        var target = Config(); target["target_modules"] = new JsonArray("q_projx");
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach(target, model));
        Assert.Contains("'q_projx' matches no projection", e.Message);
        Assert.Contains("model.layers.0.self_attn.q_proj", e.Message);
        Assert.DoesNotContain(model.NamedModules(), m => m.Module is HoulsbyLinear); // nothing left half-attached
    }

    [Fact]
    public void AnAdapterForAnotherBaseNamesTheTensorAndBothShapes()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var adapter = HoulsbyAdapter.Attach(model, adapterSize: null, reductionFactor: 4, "silu", ["attn", "ffn"]);
        var state = adapter.StateDict().ToDictionary(p => p.Key, p => p.Value);
        string name = "base_model.model.model.layers.1.mlp.down_proj.adapter_up.weight";
        state[name] = Tensor.Zeros([16, 8]);
        var e = Assert.Throws<ArgumentException>(() => adapter.LoadStateDict(state));
        Assert.Contains(name, e.Message);
        Assert.Contains("[16, 8]", e.Message);
        Assert.Contains("[32, 8]", e.Message);
    }
}
