// LoRA/IA³ behaviour beyond the oracle numbers: PEFT's target rules (list = suffix after a dot, string = full-match
// regex, layers_to_transform, all-linear, exclude_modules), PEFT's initialisation (B = 0 leaves the logits
// bit-identical; A in U(±1/√in); DoRA's magnitude starts at the row norms of W), several named adapters switched like
// PEFT's set_adapter, and the config errors that name their field.
using System.Text.Json.Nodes;
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using Xunit;

namespace SharpLM.Models.Tests.Peft;

public class LoraBehaviourTests
{
    private static Tensor Ids() => Tensor.FromArray(new[] { 1, 5, 9, 2, 33, 7, 0, 63, 12, 4 }, 2, 5);

    private static JsonObject Lora(string targets, string extra = "") =>
        (JsonObject)JsonNode.Parse($$"""{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": {{targets}}{{extra}}}""")!;

    private static DecoderModel Llama() => new(DecoderPresets.TinyLlama, seed: 3);

    private static List<string> Targets(DecoderModel m) => PeftLayers.Wrappers(m).Select(w => w.Path).ToList();

    [Fact]
    public void ListEntriesMatchNameSuffixesAndAStringMustMatchTheWholeName()
    {
        using (var m = Llama())
        {
            PeftMethods.Attach(Lora("""["q_proj", "mlp.down_proj"]"""), m);
            Assert.Equal(["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.mlp.down_proj"], Targets(m));
        }
        using (var m = Llama())
        {   // "proj" is not a dotted suffix of any name; as a regex string "q_proj" does not match the whole name
            Assert.Throws<ArgumentException>(() => PeftMethods.Attach(Lora("""["proj"]"""), m));
            Assert.Throws<ArgumentException>(() => PeftMethods.Attach(Lora("\"q_proj\""), m));
            PeftMethods.Attach(Lora("\".*layers\\\\.1\\\\..*_proj\""), m);
            Assert.Equal(7, Targets(m).Count);
            Assert.All(Targets(m), t => Assert.StartsWith("model.layers.1.", t));
        }
        using (var m = Llama())
        {
            PeftMethods.Attach(Lora("""["v_proj", "up_proj"]""", """, "layers_to_transform": 1, "exclude_modules": ["model.layers.1.mlp.up_proj"]"""), m);
            Assert.Equal(["model.layers.1.self_attn.v_proj"], Targets(m));
        }
        using (var m = Llama())
        {
            PeftMethods.Attach(Lora("\"all-linear\""), m);
            Assert.Equal(14, Targets(m).Count); // 7 per layer, not lm_head
            Assert.DoesNotContain("lm_head", Targets(m));
        }
    }

    [Fact]
    public void ATargetMatchingNothingListsTheLinearModules()
    {
        using var m = Llama();
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach(Lora("""["query", "value"]"""), m));
        Assert.Contains("[query, value]", e.Message);
        Assert.Contains("model.layers.*.self_attn.q_proj", e.Message);
        Assert.Contains("lm_head", e.Message);
        var norm = Assert.Throws<ArgumentException>(() => PeftMethods.Attach(Lora("""["input_layernorm"]"""), m));
        Assert.Contains("Norm", norm.Message);
        Assert.Empty(PeftLayers.Wrappers(m));
    }

    [Theory]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "modules_to_save": ["lm_head"]}""", "modules_to_save")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "bias": "all"}""", "bias")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "init_lora_weights": "pissa"}""", "init_lora_weights")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "lora_bias": true}""", "lora_bias")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "lora_scale": 2}""", "lora_scale")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "r": "8"}""", "'r'")]
    [InlineData("""{"peft_type": "LORA", "target_modules": ["q_proj"], "r": 0}""", "'r'")]
    [InlineData("""{"peft_type": "LORA"}""", "target_modules")]
    [InlineData("""{"peft_type": "IA3", "target_modules": ["k_proj"], "feedforward_modules": ["down_proj"]}""", "subset")]
    [InlineData("""{"peft_type": "IA3", "target_modules": ["k_proj"]}""", "feedforward_modules")]
    [InlineData("""{"peft_type": "LOHA", "target_modules": ["q_proj"]}""", "LOHA")]
    public void UnsupportedOrUnknownConfigFieldsAreErrorsNamingThem(string json, string named)
    {
        using var m = Llama();
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach((JsonObject)JsonNode.Parse(json)!, m));
        Assert.Contains(named, e.Message);
        Assert.Empty(PeftLayers.Wrappers(m));
    }

    [Fact]
    public void GenericAndOffFieldsAreAccepted()
    {
        using var m = Llama();
        var cfg = Lora("""["q_proj"]""", """, "task_type": "CAUSAL_LM", "inference_mode": true, "base_model_name_or_path": "x", "revision": null, "peft_version": "0.17.0", "modules_to_save": null, "lora_bias": false, "loftq_config": {}, "megatron_core": "megatron.core", "layer_replication": null, "use_qalora": false, "qalora_group_size": 16""");
        var a = PeftMethods.Attach(cfg, m);
        Assert.Equal("CAUSAL_LM", a.ConfigJson()["task_type"]!.GetValue<string>());
    }

    [Fact]
    public void DefaultInitIsANoOpWithKaimingUniformAAndDoraMagnitudeIsTheRowNorm()
    {
        using var m = Llama();
        m.Eval();
        var before = PeftOracleTests.Logits(m, Ids());
        var plain = PeftMethods.Attach(Lora("""["k_proj"]"""), m, "plain", seed: 4);
        Assert.Equal(before, PeftOracleTests.Logits(m, Ids())); // B = 0: bit-identical
        plain.Detach();
        var a = (LoraAdapter)PeftMethods.Attach(Lora("""["q_proj", "v_proj"]""", """, "use_dora": true"""), m, seed: 5);
        Assert.True(Close(before, PeftOracleTests.Logits(m, Ids()))); // B = 0 and m = ‖W‖ (f32 rounding of m/‖W‖ only)
        var layer = (LoraLinear)PeftLayers.Wrappers(m).First().Layer;
        var av = layer["default"].A.ToArray();
        float bound = 1f / MathF.Sqrt(layer.InFeatures);
        Assert.All(av, v => Assert.InRange(v, -bound, bound));
        Assert.True(av.Max() > 0.8f * bound && av.Min() < -0.8f * bound, "A should fill U(±1/√in)");
        Assert.All(layer["default"].B.ToArray(), v => Assert.Equal(0f, v));
        var w = layer.BaseLayer.Weight.ToArray();
        int fin = layer.InFeatures;
        var mag = layer["default"].Magnitude!.ToArray();
        for (int o = 0; o < layer.OutFeatures; o++)
            Assert.Equal(Math.Sqrt(Enumerable.Range(0, fin).Sum(i => (double)w[o * fin + i] * w[o * fin + i])), mag[o], 5);
        Assert.Equal(12, a.Parameters.Count); // 2 layers × 2 targets × (A, B, m)
    }

    [Fact]
    public void GaussianAndRandomInitFollowPeft()
    {
        using var m = Llama();
        var g = (LoraAdapter)PeftMethods.Attach((JsonObject)JsonNode.Parse("""{"peft_type": "LORA", "r": 16, "lora_alpha": 8, "target_modules": "all-linear", "init_lora_weights": "gaussian"}""")!, m, seed: 1);
        var all = g.Parameters.Where((_, i) => i % 2 == 0).SelectMany(t => t.ToArray()).ToArray();
        double std = Math.Sqrt(all.Select(v => (double)v * v).Average());
        Assert.InRange(std, 1.0 / 16 * 0.9, 1.0 / 16 * 1.1); // N(0, 1/r)
        using var m2 = Llama();
        var r = (LoraAdapter)PeftMethods.Attach(Lora("""["q_proj"]""", """, "init_lora_weights": false"""), m2, seed: 1);
        var b = r.Parameters[1].ToArray();
        Assert.All(b, v => Assert.InRange(v, -0.5f, 0.5f)); // U(±1/√r), r = 4
        Assert.Contains(b, v => v != 0);
    }

    [Fact]
    public void SeveralNamedAdaptersSwitchLikePeftSetAdapter()
    {
        using var m = Llama();
        m.Eval();
        var ids = Ids();
        var baseLogits = PeftOracleTests.Logits(m, ids);
        var a = PeftMethods.Attach(Lora("""["q_proj", "v_proj"]""", """, "init_lora_weights": false"""), m, "a", seed: 1);
        var withA = PeftOracleTests.Logits(m, ids);
        var b = PeftMethods.Attach(Lora("""["v_proj", "o_proj"]""", """, "init_lora_weights": false"""), m, "b", seed: 2);
        Assert.Equal(withA, PeftOracleTests.Logits(m, ids));               // a later adapter is inactive until set
        PeftLayers.SetActive(m, "b");
        var withB = PeftOracleTests.Logits(m, ids);
        Assert.NotEqual(withA, withB);
        PeftLayers.SetActive(m);                                            // none: the base model
        Assert.Equal(baseLogits, PeftOracleTests.Logits(m, ids));
        PeftLayers.SetActive(m, "a");
        Assert.Equal(withA, PeftOracleTests.Logits(m, ids));
        Assert.Throws<ArgumentException>(() => PeftLayers.SetActive(m, "c"));
        ((IMergeablePeftAdapter)a).Merge();
        Assert.True(Close(withA, PeftOracleTests.Logits(m, ids)));
        PeftLayers.SetActive(m, "b");                                       // unmerges a first, as PEFT does
        Assert.False(((IMergeablePeftAdapter)a).Merged);
        Assert.True(Close(withB, PeftOracleTests.Logits(m, ids)));
        a.Detach();
        Assert.True(Close(withB, PeftOracleTests.Logits(m, ids)));
        Assert.Equal(["model.layers.0.self_attn.v_proj", "model.layers.0.self_attn.o_proj", "model.layers.1.self_attn.v_proj", "model.layers.1.self_attn.o_proj"], Targets(m));
        b.Detach();
        Assert.Empty(PeftLayers.Wrappers(m));
        Assert.True(Close(baseLogits, PeftOracleTests.Logits(m, ids))); // a's merge and unmerge round W through f32
        Assert.Equal(DecoderLayout.Parameters(m.Config).Select(p => p.Name), m.StateDict().Keys);
    }

    private static bool Close(float[] a, float[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * Math.Max(1, Math.Abs(p.Second)));

    [Fact]
    public void LoraDropoutActsOnlyInTrainingAndLoraAndIa3DoNotStackOnOneModule()
    {
        using var m = Llama();
        PeftMethods.Attach(Lora("""["q_proj"]""", """, "lora_dropout": 0.5, "init_lora_weights": false"""), m, seed: 1);
        m.Eval();
        var e1 = PeftOracleTests.Logits(m, Ids());
        Assert.Equal(e1, PeftOracleTests.Logits(m, Ids()));
        m.Train();
        Assert.NotEqual(e1, PeftOracleTests.Logits(m, Ids()));
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach((JsonObject)JsonNode.Parse("""{"peft_type": "IA3", "target_modules": ["q_proj"], "feedforward_modules": []}""")!, m, "x"));
        Assert.Contains("already wrapped by a LORA", e.Message);
    }
}
