// The finetune run end to end on a tiny model (a character vocabulary, the built-in ChatML template with
// <|im_end|> as the end-of-turn): it trains, writes a model folder (weights, config.json, tokenizer.json) that loads
// again, and a run stopped at step 2 and resumed
// reaches bit for bit the weights of the uninterrupted run (model, optimiser moments and data position are in the
// checkpoint). Bad configs fail with the field named.
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Text.Char;
using SharpLM.Training.Pretraining;
using SharpLM.Training.Sft;
using Xunit;

namespace SharpLM.Training.Tests.Sft;

public class FinetunerTests
{
    private static readonly string[] Lines =
    [
        """{"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}, {"role": "user", "content": "3+3?"}, {"role": "assistant", "content": "6"}]}""",
        """{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}""",
        """{"messages": [{"role": "system", "content": "be kind"}, {"role": "user", "content": "name?"}, {"role": "assistant", "content": "sam"}]}""",
        """{"messages": [{"role": "user", "content": "no answer here"}]}""",
        """{"instruction": "say yes", "output": "yes"}""",
    ];

    /// <summary>A tiny LLaMA in a HF folder with a character vocabulary, and SFT data beside it.</summary>
    private static (string Model, string Data, string Dir) Setup()
    {
        var dir = Directory.CreateTempSubdirectory("sft-run").FullName;
        var tok = CharTokenizer.FromCorpus(string.Concat(Lines) + "<|im_start|>systemuserassistant\nYou are a helpful assistant.<|im_end|>");
        using var model = new DecoderModel(DecoderPresets.TinyLlama with { VocabSize = tok.VocabSize, MaxPositions = 256 }, seed: 3);
        string path = Path.Combine(dir, "base");
        ModelFile.Save(model, path, ModelFileFormat.HfDirectory);
        File.WriteAllText(Path.Combine(path, "tokenizer.json"), tok.ToJson());
        string data = Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(data, Lines);
        return (path, data, dir);
    }

    private static FinetuneConfig Config(string model, string data, string outDir, int steps) => FinetuneConfig.FromJson($$"""
        { "init_from": "{{model}}", "data": ["{{data}}"], "template": "chatml", "end_of_turn": "<|im_end|>", "val_fraction": 0.25,
          "context": 200, "batch_size": 2, "out_dir": "{{outDir}}", "loss_normalization": "session",
          "train": { "steps": {{steps}}, "lr": 0.003, "warmup_steps": 1, "eval_every": 2, "checkpoint_every": 100, "spike_factor": 1e9 } }
        """);

    [Fact]
    public void Trains_and_writes_a_model_that_loads()
    {
        var (model, data, dir) = Setup();
        using var f = new Finetuner(Config(model, data, Path.Combine(dir, "out"), 3));
        Assert.Equal(1, f.Data.SkippedNoAssistant);
        Assert.Equal(0, f.Data.Truncated);
        Assert.Equal(4, f.Data.Examples.Count + (int)Math.Round(4 * 0.25));
        var r = f.Run();
        Assert.Equal(3, r.StepsDone);
        Assert.True(float.IsFinite(r.FinalValLoss));
        Assert.Equal(r.TotalParameters, r.TrainableParameters);
        Assert.True(r.PeakWorkingSetBytes > 0 && r.TokensPerSecond > 0);
        using var loaded = ModelFile.Load(r.Output);
        Assert.Equal(f.Model.NamedParameters().First().Param.ToArray(), loaded.NamedParameters().First().Param.ToArray());
        Assert.True(File.Exists(Path.Combine(r.Output, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(dir, "out", "loss.png")));
    }

    [Fact]
    public void A_lora_run_trains_only_the_adapter_and_writes_a_peft_folder_that_reproduces_the_model()
    {
        var (model, data, dir) = Setup();
        var config = Config(model, data, Path.Combine(dir, "lora"), 3).With(
            ["method=lora", "peft.r=4", "peft.lora_alpha=8", "peft.target_modules=[\"q_proj\",\"v_proj\"]", "peft.init_lora_weights=gaussian"]);
        using var f = new Finetuner(config);
        var r = f.Run();
        // TinyLlama: 2 layers × (q_proj 32→32 + v_proj 32→16), rank 4: A [4, in] and B [out, 4] per module.
        Assert.Equal(2 * (4 * (32 + 32) + 4 * (32 + 16)), r.TrainableParameters);
        var written = PeftAdapterFile.ReadConfig(r.Output);                                   // PEFT's base fields are there too
        Assert.Equal("CAUSAL_LM", written["task_type"]!.GetValue<string>());
        Assert.Equal(4, written["r"]!.GetValue<int>());
        using var baseModel = ModelFile.Load(model);
        var trainedBase = f.Model.NamedParameters().Where(p => !p.Name.Contains("lora_")).ToDictionary(p => p.Name, p => p.Param.ToArray());
        foreach (var (name, p) in baseModel.NamedParameters())
            Assert.Equal(p.ToArray(), trainedBase[name]); // the frozen base did not move
        // The saved adapter on a fresh copy of the base gives the fine-tuned model's logits.
        var ids = SharpLM.Tensors.Tensor.FromArray(new[] { 1, 2, 3, 4, 5 }, [1, 5]);
        f.Model.Eval();
        var expected = f.Model.Forward(ids).ToArray();
        var adapter = PeftAdapterFile.Load(r.Output, baseModel);
        baseModel.Eval();
        var got = baseModel.Forward(ids).ToArray();
        Assert.Equal("LORA", adapter.PeftType);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 1e-5, $"logit {i}: {got[i]} vs {expected[i]}");
        Assert.NotEqual(ModelFileLogits(model, ids), expected); // and training moved it away from the base
    }

    private static float[] ModelFileLogits(string path, SharpLM.Tensors.Tensor ids)
    {
        using var m = ModelFile.Load(path);
        m.Eval();
        return m.Forward(ids).ToArray();
    }

    private sealed class StopAt(long step, CancellationTokenSource cts) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress p) { if (p.Step == step) cts.Cancel(); }
    }

    [Fact]
    public void Resume_reaches_the_weights_of_the_uninterrupted_run()
    {
        var (model, data, dir) = Setup();
        float[] straight;
        using (var f = new Finetuner(Config(model, data, Path.Combine(dir, "a"), 4))) { f.Run(); straight = f.Model.NamedParameters().SelectMany(p => p.Param.ToArray()).ToArray(); }
        using (var f = new Finetuner(Config(model, data, Path.Combine(dir, "b"), 4)))
        {
            using var cts = new CancellationTokenSource();
            var r = f.Run(new StopAt(2, cts), cts.Token);
            Assert.True(r.Cancelled);
            Assert.Equal(2, r.StepsDone);
        }
        using (var f = new Finetuner(Config(model, data, Path.Combine(dir, "b"), 4)))
        {
            var r = f.Run(resume: true);
            Assert.Equal(4, r.StepsDone);
            Assert.Equal(straight, f.Model.NamedParameters().SelectMany(p => p.Param.ToArray()).ToArray());
        }
    }

    [Theory]
    [InlineData("""{"data": ["x.jsonl"]}""", "init_from")]
    [InlineData("""{"init_from": "m", "data": ["x"], "lr": 1}""", "lr")]
    [InlineData("""{"init_from": "m", "data": ["x"], "method": "lorra"}""", "unknown value 'lorra'")]
    [InlineData("""{"init_from": "m", "data": ["x"], "train": {"stepz": 3}}""", "stepz")]
    [InlineData("""{"init_from": "m", "data": ["x"], "loss_normalization": "turn"}""", "allowed: token, session")]
    [InlineData("""{"init_from": "m", "data": ["x"], "peft": {"r": 8}}""", "peft: set only with a PEFT method")]
    public void Bad_configs_name_the_field(string json, string message)
    {
        var e = Record.Exception(() => FinetuneConfig.FromJson(json).Validate());
        Assert.NotNull(e);
        Assert.Contains(message, e!.Message);
    }

    [Fact]
    public void A_model_without_a_chat_template_needs_template()
    {
        var (model, data, dir) = Setup();
        var cfg = Config(model, data, Path.Combine(dir, "c"), 1) with { Template = null };
        var e = Assert.Throws<ArgumentException>(() => new Finetuner(cfg));
        Assert.Contains("has no chat template; set template", e.Message);
    }

    [Fact]
    public void Peft_methods_map_to_peft_types_and_qlora_is_refused_for_now()
    {
        Assert.Equal("LORA", (string)PeftMethodConfig.For(FinetuneMethod.DoRA, null)["peft_type"]!);
        Assert.True((bool)PeftMethodConfig.For(FinetuneMethod.DoRA, null)["use_dora"]!);
        Assert.Equal("ADAPTION_PROMPT", (string)PeftMethodConfig.For(FinetuneMethod.LlamaAdapter, null)["peft_type"]!);
        Assert.Contains("NF4", Assert.Throws<ArgumentException>(() => PeftMethodConfig.For(FinetuneMethod.QLora, null)).Message);
        var overrides = FinetuneConfig.FromJson("""{"init_from": "m", "data": ["x"]}""").With(["method=lora", "peft.r=4", "train.lr=0.01"]);
        Assert.Equal(FinetuneMethod.Lora, overrides.Method);
        Assert.Equal(4, (int)overrides.Peft!["r"]!);
        Assert.Equal(0.01f, overrides.Train.Lr);
    }
}
