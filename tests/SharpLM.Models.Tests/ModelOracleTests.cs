// Each model family against PyTorch (tests/oracles/make_model_fixtures.py): build the model from the
// fixture's Hugging Face config.json, load model.safetensors by HF names, and compare logits (max abs
// diff ≤ 1e-4), loss, and the gradient of the loss for every parameter (rtol 1e-4).
using SharpLM.Models.Bert;
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Seq2Seq;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Models.Tests;

public class ModelOracleTests(ITestOutputHelper log)
{
    private static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static Dictionary<string, Tensor> Weights(string name) => ModelFiles.LoadWeights(Path.Combine(Dir(name), "model.safetensors"));

    private void Check(string name, Module model, Func<OracleFixture, Tensor> forward)
    {
        var fx = new OracleFixture(Path.Combine(Dir(name), "oracle.safetensors"));
        using var scope = TensorScope.Begin();
        model.Eval();
        model.LoadStateDict(Weights(name));
        var logits = forward(fx);
        double maxDiff = Close.MaxAbsDiff(logits.ToArray(), fx.Values("logits"));
        log.WriteLine($"{name}: logits max |diff| = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4, $"{name}: logits max |diff| {maxDiff:E3} > 1e-4");
        Assert.Equal(fx.Shape("logits"), logits.Shape.ToArray());
        var loss = DecoderModel.Loss(logits, fx.Load("targets"));
        Assert.Equal(fx.Values("loss")[0], loss.Item(), 1e-5);
        loss.Backward();
        double worst = 0;
        foreach (var (pname, p) in model.NamedParameters())
        {
            Assert.NotNull(p.Grad);
            var g = p.Grad!.ToArray();
            var expected = fx.Values("grad." + pname);
            // atol 1e-7: some gradients are analytically zero (a key bias cannot change a softmax) and come out as f32 rounding noise.
            Close.Assert("grad." + pname, g, expected, p.Shape.ToArray(), fx.Shape("grad." + pname), 1e-4, atol: 1e-7);
            worst = Math.Max(worst, Close.MaxAbsDiff(g, expected));
        }
        log.WriteLine($"{name}: worst gradient |diff| = {worst:E2} over {model.NamedParameters().Count()} parameters");
        model.Dispose();
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama_gqa")]
    [InlineData("llama_rope_params")]
    [InlineData("qwen2_mqa")]
    [InlineData("baichuan_alibi")]
    [InlineData("qwen3_qknorm")]
    public void DecoderFamilyMatchesPyTorch(string name)
    {
        var model = new DecoderModel(HfConfig.Load(Dir(name)));
        Check(name, model, fx => model.Forward(fx.Load("input_ids")));
    }

    [Fact]
    public void BertMaskedLmMatchesPyTorch()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("bert_mlm"), "config.json")));
        var model = new BertForMaskedLM(BertConfig.FromHf(doc.RootElement));
        Check("bert_mlm", model, fx => model.Forward(fx.Load("input_ids"), fx.Load("token_type_ids"), fx.Load("attention_mask")));
    }

    [Fact]
    public void EncoderDecoderMatchesPyTorch()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("seq2seq"), "config.json")));
        var model = new TransformerSeq2Seq(Seq2SeqConfig.FromJson(doc.RootElement));
        Check("seq2seq", model, fx => model.Forward(fx.Load("input_ids"), fx.Load("decoder_input_ids")));
    }
}

public class KvCacheTests
{
    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("llama_rope_params")]
    [InlineData("gpt2")]
    [InlineData("baichuan_alibi")]
    [InlineData("qwen3_qknorm")]
    public void IncrementalDecodingWithTheCacheEqualsTheFullForwardAndPyTorch(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        var fx = new OracleFixture(Path.Combine(dir, "oracle.safetensors"));
        using var model = new DecoderModel(HfConfig.Load(dir));
        model.Eval();
        model.LoadStateDict(ModelFiles.LoadWeights(Path.Combine(dir, "model.safetensors")));
        using var scope = TensorScope.Begin();
        using var _ = SharpLM.Tensors.Autograd.GradMode.NoGrad();
        var ids = fx.Load("input_ids");                                   // [2, 8]
        int b = ids.Shape[0], t = ids.Shape[1], v = model.Config.VocabSize;
        var full = model.Forward(ids).ToArray();
        using var cache = new KvCache(model.Config, b, capacity: t);
        var steps = new List<float[]> { model.Forward(ids.Narrow(1, 0, 5), cache: cache).ToArray() };   // prefill 5
        for (int i = 5; i < t; i++) steps.Add(model.Forward(ids.Narrow(1, i, 1), cache: cache).ToArray()); // decode 1 at a time
        Assert.Equal(t, cache.Length);
        var expected = fx.Values("logits");
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
            {
                float[] chunk = ti < 5 ? steps[0] : steps[ti - 4];
                int tt = ti < 5 ? ti : 0, tlen = ti < 5 ? 5 : 1;
                for (int j = 0; j < v; j++)
                {
                    float inc = chunk[(bi * tlen + tt) * v + j];
                    float whole = full[(bi * t + ti) * v + j];
                    Assert.True(Math.Abs(inc - whole) <= 1e-5f, $"{name} b{bi} t{ti} v{j}: cached {inc} vs full {whole}");
                    Assert.True(Math.Abs(inc - expected[(bi * t + ti) * v + j]) <= 1e-4, $"{name} b{bi} t{ti} v{j}: cached {inc} vs PyTorch {expected[(bi * t + ti) * v + j]}");
                }
            }
        var over = Assert.Throws<InvalidOperationException>(() => model.Forward(ids.Narrow(1, 0, 1), cache: cache));
        Assert.Contains("capacity", over.Message);
    }
}

public class ActivationCheckpointingTests
{
    [Fact]
    public void CheckpointedBlocksGiveTheSameGradients()
    {
        float[][] Grads(bool checkpoint)
        {
            var cfg = DecoderPresets.TinyLlama with { Dropout = 0.1f, ActivationCheckpointing = checkpoint };
            using var model = new DecoderModel(cfg, seed: 5);
            using var scope = TensorScope.Begin();
            var ids = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (i * 7) % cfg.VocabSize).ToArray(), 2, 8);
            var tgt = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (i * 5 + 3) % cfg.VocabSize).ToArray(), 2, 8);
            DecoderModel.Loss(model.Forward(ids), tgt).Backward();
            return model.NamedParameters().Select(p => p.Param.Grad!.ToArray()).ToArray();
        }
        var plain = Grads(false);
        var ckpt = Grads(true);
        Assert.Equal(plain.Length, ckpt.Length);
        for (int i = 0; i < plain.Length; i++)
            for (int j = 0; j < plain[i].Length; j++)
                Assert.True(Math.Abs(plain[i][j] - ckpt[i][j]) <= 1e-6f + 1e-5f * Math.Abs(plain[i][j]), $"param {i}[{j}]: {plain[i][j]} vs {ckpt[i][j]}");
    }
}
