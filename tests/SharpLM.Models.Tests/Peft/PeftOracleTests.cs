// LoRA, rsLoRA, DoRA and (IA)³ against PyTorch (tests/oracles/make_peft_fixtures.py, PEFT's math and folder layout
// written out by hand): each adapter folder loads through PeftAdapterFile onto the committed tiny LLaMA / GPT-2 base and
// gives the oracle's logits (1e-4) and the adapter tensors' gradients of the cross-entropy (rtol 1e-4, the base frozen);
// merging keeps the logits (1e-5), unmerging restores them, merge-and-unload leaves plain Linears with the merged
// weights; saving and loading again round-trips tensors and config.
using System.Text.Json.Nodes;
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

public class PeftOracleTests(ITestOutputHelper log)
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
    internal static string AdapterDir(string name) => Fixture(Path.Combine("peft", name));

    /// <summary>The committed base model with its weights, in eval mode, every base parameter frozen.</summary>
    internal static DecoderModel Base(string name)
    {
        var model = new DecoderModel(HfConfig.Load(Fixture(name)));
        model.LoadStateDict(ModelFiles.LoadWeights(Path.Combine(Fixture(name), "model.safetensors")));
        foreach (var (_, p) in model.NamedParameters()) p.RequiresGrad = false;
        model.Eval();
        return model;
    }

    internal static float[] Logits(DecoderModel model, Tensor ids)
    {
        using var s = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        return model.Forward(ids).ToArray();
    }

    [Theory]
    [InlineData("llama_lora", "llama_gqa")]
    [InlineData("llama_rslora", "llama_gqa")]
    [InlineData("llama_dora", "llama_gqa")]
    [InlineData("gpt2_lora", "gpt2")]
    [InlineData("gpt2_dora", "gpt2")]
    [InlineData("llama_ia3", "llama_gqa")]
    [InlineData("gpt2_ia3", "gpt2")]
    public void AdapterFolderGivesPyTorchLogitsGradientsAndMergesExactly(string adapterCase, string baseName)
    {
        var fx = new OracleFixture(Path.Combine(AdapterDir(adapterCase), "oracle.safetensors"));
        using var model = Base(baseName);
        var baseState = model.StateDict().Keys.ToList();
        var ids = fx.Load("input_ids");
        var baseLogits = Logits(model, ids);
        var adapter = (IMergeablePeftAdapter)PeftAdapterFile.Load(AdapterDir(adapterCase), model);
        var expectedLogits = fx.Values("logits");

        using (var scope = TensorScope.Begin())
        {
            var logits = model.Forward(ids);
            double diff = Close.MaxAbsDiff(logits.ToArray(), expectedLogits);
            log.WriteLine($"{adapterCase}: logits max |diff| {diff:E2}, adapter moves them by {Close.MaxAbsDiff(baseLogits, expectedLogits):F2}");
            Assert.True(diff <= 1e-4, $"{adapterCase}: logits max |diff| {diff:E3} > 1e-4");
            var loss = DecoderModel.Loss(logits, fx.Load("targets"));
            Assert.Equal(fx.Values("loss")[0], loss.Item(), 1e-5);
            loss.Backward();
        }
        var state = adapter.StateDict();
        Assert.Equal(fx.Names.Where(n => n.StartsWith("grad.")).Select(n => n[5..]).Order(), state.Keys.Order());
        foreach (var (key, t) in state)
            Close.Assert("grad." + key, t.Grad!.ToArray(), fx.Values("grad." + key), t.Shape.ToArray(), fx.Shape("grad." + key), 1e-4, atol: 1e-7);
        Assert.All(model.NamedParameters().Where(p => !state.Values.Contains(p.Param)), p => Assert.Null(p.Param.Grad));

        var unmerged = Logits(model, ids);
        adapter.Merge();
        Assert.True(adapter.Merged);
        // 1e-5 relative to the largest logit (these adapters move logits by up to ~9; f32 summation order differs).
        double tol = 1e-5 * Math.Max(1, unmerged.Max(Math.Abs));
        var unmerged64 = unmerged.Select(v => (double)v).ToArray();
        var merged = Logits(model, ids);
        Assert.True(Close.MaxAbsDiff(merged, unmerged64) <= tol, $"{adapterCase}: merged logits differ from unmerged by {Close.MaxAbsDiff(merged, unmerged64):E3} > {tol:E2}");
        log.WriteLine($"{adapterCase}: merged vs unmerged max |diff| {Close.MaxAbsDiff(merged, unmerged64):E2} (largest logit {unmerged.Max(Math.Abs):F2})");
        adapter.Unmerge();
        Assert.False(adapter.Merged);
        Assert.True(Close.MaxAbsDiff(Logits(model, ids), unmerged64) <= tol);

        string saved = Path.Combine(Path.GetTempPath(), $"sharplm-peft-{adapterCase}-{Guid.NewGuid():N}");
        try
        {
            PeftAdapterFile.Save(saved, adapter);
            using var again = Base(baseName);
            var reloaded = PeftAdapterFile.Load(saved, again);
            Assert.True(Close.MaxAbsDiff(Logits(again, ids), expectedLogits) <= 1e-4);
            var original = PeftAdapterFile.ReadConfig(AdapterDir(adapterCase));
            var written = PeftAdapterFile.ReadConfig(saved);
            foreach (var field in new[] { "peft_type", "r", "lora_alpha", "use_rslora", "use_dora", "target_modules", "feedforward_modules", "fan_in_fan_out", "rank_pattern", "alpha_pattern", "layers_to_transform", "task_type", "base_model_name_or_path" })
                if (original.ContainsKey(field)) Assert.True(JsonNode.DeepEquals(original[field], written[field]), $"{field}: wrote {written[field]?.ToJsonString()}, read {original[field]?.ToJsonString()}");
            Assert.Equal(reloaded.StateDict().Keys.Order(), state.Keys.Order());
        }
        finally { if (Directory.Exists(saved)) Directory.Delete(saved, true); }

        adapter.MergeAndUnload();
        Assert.Empty(PeftLayers.Wrappers(model));
        Assert.Equal(baseState, model.StateDict().Keys.ToList());
        Assert.True(Close.MaxAbsDiff(Logits(model, ids), expectedLogits) <= 1e-4, $"{adapterCase}: merged-and-unloaded logits differ from PyTorch");
    }

    [Fact]
    public void AnAdapterForAnotherBaseFailsNamingTheTensorAndBothShapes()
    {
        using var model = Base("llama_gqa");
        var e = Assert.Throws<SharpLM.Formats.ModelFormatException>(() => PeftAdapterFile.Load(AdapterDir("llama_other_base"), model));
        log.WriteLine(e.Message);
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", e.Message);
        Assert.Contains("[4, 48]", e.Message);
        Assert.Contains("[4, 32]", e.Message);
        Assert.Empty(PeftLayers.Wrappers(model)); // the half-loaded adapter was taken off again
    }
}
