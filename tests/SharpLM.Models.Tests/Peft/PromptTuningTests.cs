// Prompt tuning and P-tuning against the PyTorch oracle (tests/oracles/make_peft_prompt_fixtures.py): logits of the
// real tokens and the gradients of the prompt embeddings / prompt encoder (MLP and LSTM), PEFT folders loading,
// KV-cache decoding with the virtual tokens cached once, PEFT's TEXT init, and the context-length error.
using System.Text.Json.Nodes;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests.Peft;

public class PromptTuningTests(ITestOutputHelper log)
{
    private static Dictionary<string, Tensor> Trainable(PromptLearningAdapter a) => a.Encoder.NamedParameters().ToDictionary(p => p.Name, p => p.Param);

    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void PromptTuningMatchesPyTorch(string baseName)
    {
        using var model = PeftPromptOracle.BaseModel(baseName);
        var adapter = PromptTuningAdapter.Attach(model, 5);
        PeftPromptOracle.CheckForwardAndGradients(log, $"prompt_{baseName}", model, Trainable(adapter));
    }

    [Theory]
    [InlineData(PromptEncoderKind.Mlp, "ptuning_mlp_llama_gqa")]
    [InlineData(PromptEncoderKind.Lstm, "ptuning_lstm_llama_gqa")]
    public void PTuningMatchesPyTorch(PromptEncoderKind kind, string caseName)
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var adapter = PTuningAdapter.Attach(model, 4, kind, encoderHiddenSize: 12, encoderNumLayers: 2);
        PeftPromptOracle.CheckForwardAndGradients(log, caseName, model, Trainable(adapter));
    }

    [Theory]
    [InlineData("prompt_llama_gqa", "llama_gqa")]
    [InlineData("prompt_gpt2", "gpt2")]
    [InlineData("ptuning_mlp_llama_gqa", "llama_gqa")]
    [InlineData("ptuning_lstm_llama_gqa", "llama_gqa")]
    public void ThePeftFolderLoadsAndGivesTheOracleLogits(string caseName, string baseName) => PeftPromptOracle.CheckFolderLoads(log, caseName, baseName);

    [Theory]
    [InlineData("prompt_llama_gqa", "llama_gqa")]
    [InlineData("prompt_gpt2", "gpt2")]
    [InlineData("ptuning_lstm_llama_gqa", "llama_gqa")]
    public void DecodingWithTheCacheEqualsTheFullForward(string caseName, string baseName) => KvCacheCheck.Run(caseName, baseName);

    [Fact]
    public void SavingWritesWhatPeftSavesAndLoadsBack()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var fx = PeftPromptOracle.Oracle("ptuning_mlp_llama_gqa");
        var adapter = PTuningAdapter.Attach(model, 4, PromptEncoderKind.Mlp, encoderHiddenSize: 12);
        foreach (var (name, p) in Trainable(adapter)) p.CopyFrom(fx.Load("param." + name));
        string dir = Path.Combine(Path.GetTempPath(), "sharplm-ptuning-" + Guid.NewGuid().ToString("N"));
        try
        {
            PeftAdapterFile.Save(dir, adapter);
            var saved = PeftAdapterFile.ReadConfig(dir);
            var peft = PeftAdapterFile.ReadConfig(PeftPromptOracle.CaseDir("ptuning_mlp_llama_gqa"));
            foreach (var key in new[] { "peft_type", "num_virtual_tokens", "token_dim", "num_layers", "num_attention_heads", "encoder_hidden_size", "encoder_reparameterization_type", "inference_mode" })
                Assert.Equal(peft[key]!.ToJsonString(), saved[key]!.ToJsonString());
            adapter.Detach();
            PeftAdapterFile.Load(dir, model);
            Assert.True(PeftPromptOracle.LogitsDiff(model, fx) <= 1e-4);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TextInitRepeatsOrTrimsTheIdsAsPeftDoes()
    {
        var fx = new OracleFixture(Path.Combine(PeftPromptOracle.CaseDir(""), "text_init.safetensors"));
        for (int i = 0; fx.Has($"text_ids.{i}"); i++)
        {
            var ids = fx.Values($"text_ids.{i}").Select(v => (int)v).ToArray();
            var expected = fx.Values($"init_ids.{i}").Select(v => (int)v).ToArray();
            Assert.Equal(expected, PromptTuningAdapter.TextInitIds(ids, expected.Length));
        }
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var adapter = PromptTuningAdapter.Attach(model, 7, PromptTuningInit.Text, [5, 9, 2], "a text", "tok");
        var rows = adapter.StateDict()[PromptLearningAdapter.TensorName].ToArray();
        var embed = model.StateDict()["model.embed_tokens.weight"].ToArray();
        int[] want = [5, 9, 2, 5, 9, 2, 5];
        for (int r = 0; r < 7; r++)
            Assert.Equal(embed.AsSpan(want[r] * 32, 32).ToArray(), rows.AsSpan(r * 32, 32).ToArray());
        Assert.Equal("TEXT", adapter.ConfigJson()["prompt_tuning_init"]!.GetValue<string>());
    }

    [Fact]
    public void SampleVocabInitCopiesRowsOfTheModelsEmbedding()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        var adapter = PromptTuningAdapter.Attach(model, 6, PromptTuningInit.SampleVocab, seed: 11);
        var rows = adapter.StateDict()[PromptLearningAdapter.TensorName].ToArray();
        var embed = model.StateDict()["model.embed_tokens.weight"].ToArray();
        for (int r = 0; r < 6; r++)
        {
            var row = rows.AsSpan(r * 32, 32).ToArray();
            Assert.Contains(Enumerable.Range(0, 64), id => embed.AsSpan(id * 32, 32).SequenceEqual(row));
        }
    }

    [Fact]
    public void VirtualTokensPlusInputBeyondTheContextIsAClearError()
    {
        using var model = PeftPromptOracle.BaseModel("gpt2");                      // n_positions 32
        PromptTuningAdapter.Attach(model, 30);
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.FromArray(new int[3], 1, 3)));
        Assert.Contains("30 virtual tokens", e.Message);
        Assert.Contains("3 input tokens", e.Message);
        Assert.Contains("context length 32", e.Message);
        Assert.Throws<ArgumentException>(() => PromptTuningAdapter.Attach(PeftPromptOracle.BaseModel("gpt2"), 32));
    }

    [Fact]
    public void BadConfigsAreErrorsNamingTheField()
    {
        using var model = PeftPromptOracle.BaseModel("llama_gqa");
        JsonObject Config(string c) => JsonNode.Parse(File.ReadAllText(Path.Combine(PeftPromptOracle.CaseDir(c), "adapter_config.json")))!.AsObject();
        var unknown = Config("prompt_llama_gqa"); unknown["prompt_tuning_scale"] = 2;
        Assert.Contains("'prompt_tuning_scale'", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(unknown, model)).Message);
        var dim = Config("prompt_llama_gqa"); dim["token_dim"] = 768;
        var e = Assert.Throws<ArgumentException>(() => PeftMethods.Attach(dim, model));
        Assert.Contains("token_dim = 768", e.Message);
        Assert.Contains("32", e.Message);
        var lstm = Config("ptuning_mlp_llama_gqa"); lstm["encoder_reparameterization_type"] = "GRU";
        Assert.Contains("'GRU'", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(lstm, model)).Message);
        var task = Config("prompt_llama_gqa"); task["task_type"] = "SEQ_CLS";
        Assert.Contains("SEQ_CLS", Assert.Throws<ArgumentException>(() => PeftMethods.Attach(task, model)).Message);
        Assert.Null(model.VirtualTokens);
    }
}
