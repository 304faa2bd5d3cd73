// config.json in every form transformers writes: RoPE settings top-level (≤ 4) or in rope_parameters (5);
// and the rule that a key which would change the numbers but is not understood stops the load, naming it.
using System.Text.Json;
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using Xunit;

namespace SharpLM.Models.Tests;

public class HfConfigFormsTests
{
    private const string LlamaBase = """
        "architectures":["LlamaForCausalLM"],"vocab_size":64,"hidden_size":32,"num_hidden_layers":2,
        "num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":48,"max_position_embeddings":32
        """;

    private static DecoderConfig Map(string body) => HfConfig.Map(JsonDocument.Parse("{" + body + "}").RootElement, "m/config.json");

    private static string Refused(string body)
    {
        var e = Assert.Throws<FormatException>(() => Map(body));
        Assert.Contains("m/config.json", e.Message);
        return e.Message;
    }

    [Fact]
    public void RopeParametersObjectOfTransformers5IsRead()
    {
        var c = Map(LlamaBase + ""","rope_parameters":{"rope_theta":500000.0,"rope_type":"linear","factor":4.0}""");
        Assert.Equal(500000f, c.RopeTheta);
        Assert.Equal(4f, c.RopeScaling);
        var d = Map(LlamaBase + ""","rope_parameters":{"rope_theta":1000000.0,"rope_type":"default"}""");
        Assert.Equal(1000000f, d.RopeTheta);
        Assert.Equal(1f, d.RopeScaling);
    }

    [Fact]
    public void BothFormsGiveTheSameConfig()
    {
        var old = Map(LlamaBase + ""","rope_theta":250000.0,"rope_scaling":{"type":"linear","factor":2.0}""");
        var v4b = Map(LlamaBase + ""","rope_theta":250000.0,"rope_scaling":{"rope_type":"linear","factor":2.0}""");
        var v5 = Map(LlamaBase + ""","rope_parameters":{"rope_type":"linear","rope_theta":250000.0,"factor":2.0}""");
        Assert.Equal(old, v5);
        Assert.Equal(old, v4b);
    }

    [Theory]
    [InlineData(""","rope_parameters":{"rope_theta":500000.0,"rope_type":"llama3","factor":8.0}""", "llama3")]
    [InlineData(""","rope_scaling":{"type":"yarn","factor":4.0}""", "yarn")]
    [InlineData(""","rope_scaling":{"type":"dynamic","factor":2.0}""", "dynamic")]
    [InlineData(""","rope_parameters":{"rope_type":"linear","factor":2.0,"beta_fast":32}""", "beta_fast")]
    [InlineData(""","rope_parameters":{"full_attention":{"rope_type":"default","rope_theta":10000.0}}""", "full_attention")]
    [InlineData(""","rope_theta":10000.0,"rope_parameters":{"rope_type":"default","rope_theta":500000.0}""", "disagree")]
    [InlineData(""","partial_rotary_factor":0.5""", "partial_rotary_factor")]
    [InlineData(""","head_dim":16""", "head_dim")]
    [InlineData(""","hidden_act":"gelu" """, "hidden_act")]
    [InlineData(""","mlp_bias":true""", "mlp_bias")]
    [InlineData(""","attention_bias":true""", "attention_bias")]
    [InlineData(""","rope_scaling":{"factor":8.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"}""", "'llama3'")]
    [InlineData(""","sliding_window":16""", "sliding_window")]
    [InlineData(""","quantization_config":{"quant_method":"gptq","bits":4}""", "quantization_config")]
    [InlineData(""","logit_scale":0.5""", "logit_scale")]
    [InlineData(""","layer_types":["full_attention","sliding_attention"],"sliding_window":8""", "layer_types")]
    public void NumberChangingKeysThatAreNotUnderstoodAreRefused(string extra, string named)
        => Assert.Contains(named, Refused(LlamaBase + extra));

    [Fact]
    public void HarmlessKeysAndInactiveSwitchesLoad()
    {
        var c = Map(LlamaBase + ""","torch_dtype":"bfloat16","transformers_version":"4.44.0","bos_token_id":1,"eos_token_id":[2,3],"use_cache":true,"pretraining_tp":1,"attention_dropout":0.0,"head_dim":8,"sliding_window":null,"mlp_bias":false,"initializer_range":0.02,"partial_rotary_factor":1.0,"_name_or_path":"x/y","rope_scaling":null""");
        Assert.Equal(8, c.HeadDim);
        // Qwen2 keeps a window size but switches it off (transformers' default use_sliding_window is false).
        var q = Map(LlamaBase.Replace("LlamaForCausalLM", "Qwen2ForCausalLM") + ""","sliding_window":16,"max_window_layers":1,"use_sliding_window":false""");
        Assert.True(q.QkvBias);
        var q2 = Map(LlamaBase.Replace("LlamaForCausalLM", "Qwen2ForCausalLM") + ""","sliding_window":16""");
        Assert.True(q2.QkvBias);
        Assert.Contains("sliding_window", Refused(LlamaBase.Replace("LlamaForCausalLM", "Qwen2ForCausalLM") + ""","sliding_window":16,"use_sliding_window":true"""));
        // A window that covers the whole context is the same as full attention.
        Assert.Equal(32, Map(LlamaBase.Replace("LlamaForCausalLM", "MistralForCausalLM") + ""","sliding_window":4096""").MaxPositions);
    }

    [Fact]
    public void Gpt2AttentionSwitchesAndUnknownKeysAreChecked()
    {
        const string gpt2 = """
            "architectures":["GPT2LMHeadModel"],"vocab_size":64,"n_embd":32,"n_layer":2,"n_head":4,"n_positions":32,
            "n_ctx":32,"resid_pdrop":0.1,"summary_type":"cls_index","reorder_and_upcast_attn":false
            """;
        Assert.Equal(32, Map(gpt2).MaxPositions);
        Assert.Contains("scale_attn_by_inverse_layer_idx", Refused(gpt2 + ""","scale_attn_by_inverse_layer_idx":true"""));
        Assert.Contains("scale_attn_weights", Refused(gpt2 + ""","scale_attn_weights":false"""));
        Assert.Contains("rotary_dim", Refused(gpt2 + ""","rotary_dim":8"""));
    }

    [Fact]
    public void RealConfigsOfThePublishedModelsLoad()
    {
        // Key sets as the Hub's config.json files carry them (values shrunk): GPT-2, distilgpt2, Qwen2.5, BERT (Chinese).
        Assert.Equal(32, Map("""
            "activation_function":"gelu_new","architectures":["GPT2LMHeadModel"],"attn_pdrop":0.1,"bos_token_id":50256,"embd_pdrop":0.1,
            "eos_token_id":50256,"initializer_range":0.02,"layer_norm_epsilon":1e-05,"model_type":"gpt2","n_ctx":32,"n_embd":32,"n_head":4,
            "n_layer":2,"n_positions":32,"resid_pdrop":0.1,"summary_activation":null,"summary_first_dropout":0.1,"summary_proj_to_labels":true,
            "summary_type":"cls_index","summary_use_proj":true,"task_specific_params":{"text-generation":{"do_sample":true,"max_length":50}},
            "vocab_size":64,"_num_labels":1,"id2label":{"0":"LABEL_0"},"label2id":{"LABEL_0":0}
            """).Dim);
        Assert.True(Map("""
            "architectures":["Qwen2ForCausalLM"],"attention_dropout":0.0,"bos_token_id":151643,"eos_token_id":151645,"hidden_act":"silu",
            "hidden_size":32,"initializer_range":0.02,"intermediate_size":48,"max_position_embeddings":32,"max_window_layers":28,
            "model_type":"qwen2","num_attention_heads":4,"num_hidden_layers":2,"num_key_value_heads":2,"rms_norm_eps":1e-06,"rope_scaling":null,
            "rope_theta":1000000.0,"sliding_window":131072,"tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.43.1",
            "use_cache":true,"use_sliding_window":false,"vocab_size":64
            """).QkvBias);
        var bert = SharpLM.Models.Bert.BertConfig.FromHf(JsonDocument.Parse("""
            {"architectures":["BertForMaskedLM"],"attention_probs_dropout_prob":0.1,"directionality":"bidi","hidden_act":"gelu",
             "hidden_dropout_prob":0.1,"hidden_size":32,"initializer_range":0.02,"intermediate_size":64,"layer_norm_eps":1e-12,
             "max_position_embeddings":32,"model_type":"bert","num_attention_heads":4,"num_hidden_layers":2,"pad_token_id":0,
             "pooler_fc_size":32,"pooler_num_attention_heads":4,"pooler_num_fc_layers":3,"pooler_size_per_head":8,"pooler_type":"first_token_transform",
             "type_vocab_size":2,"vocab_size":64}
            """).RootElement, "bert/config.json");
        Assert.Equal(32, bert.Dim);
        Assert.Contains("position_embedding_type", Assert.Throws<FormatException>(() => SharpLM.Models.Bert.BertConfig.FromHf(JsonDocument.Parse("""
            {"architectures":["BertForMaskedLM"],"hidden_size":32,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":64,
             "max_position_embeddings":32,"vocab_size":64,"position_embedding_type":"relative_key"}
            """).RootElement, "bert/config.json")).Message);
    }

    [Fact]
    public void BaichuanAlibiRefusesRopeKeys()
    {
        const string alibi = """
            "architectures":["BaichuanForCausalLM"],"vocab_size":64,"hidden_size":32,"num_hidden_layers":2,
            "num_attention_heads":4,"intermediate_size":48,"model_max_length":32,"z_loss_weight":0
            """;
        Assert.Equal(PositionKind.Alibi, Map(alibi).Positions);
        Assert.Contains("rope_theta", Refused(alibi + ""","rope_theta":500000.0"""));
    }

    [Fact]
    public void TheTransformers5FixtureLoadsWithItsRopeSettings()
    {
        var c = HfConfig.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "llama_rope_params"));
        Assert.Equal(500000f, c.RopeTheta);
        Assert.Equal(4f, c.RopeScaling);
    }
}

public class RopeSettingsInFilesTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void GgufKeepsRopeBaseAndLinearScalingAndLlama2cRefusesThem()
    {
        using var model = SharpLM.Models.Checkpoints.ModelFile.Load(Fixture("llama_rope_params"));
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-rope-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string gguf = Path.Combine(dir, "m.gguf");
            SharpLM.Models.Checkpoints.ModelFile.Save(model, gguf, SharpLM.Models.Checkpoints.ModelFileFormat.Gguf);
            using (var g = SharpLM.Formats.Gguf.GgufFile.Open(gguf))
            {
                Assert.Equal(500000.0, g.GetDouble("llama.rope.freq_base"));
                Assert.Equal("linear", g.GetString("llama.rope.scaling.type"));
                Assert.Equal(4.0, g.GetDouble("llama.rope.scaling.factor"));
            }
            using var back = SharpLM.Models.Checkpoints.ModelFile.Load(gguf);
            Assert.Equal(500000f, back.Config.RopeTheta);
            Assert.Equal(4f, back.Config.RopeScaling);
            var e = Assert.Throws<NotSupportedException>(() => SharpLM.Models.Checkpoints.ModelFile.Save(model, Path.Combine(dir, "m.bin"), SharpLM.Models.Checkpoints.ModelFileFormat.Llama2c));
            Assert.Contains("θ", e.Message);
            Assert.False(File.Exists(Path.Combine(dir, "m.bin")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
