// Generation against the PyTorch oracle: greedy decoding with the KV cache reproduces the tokens PyTorch
// picks by full recomputation; streaming yields the same tokens; stop tokens, limits and bad requests.
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests;

public class GenerationTests
{
    private static string ModelDir(string name) => Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);

    private static (DecoderModel Model, OracleFixture Oracle) Load(string name)
    {
        var dir = ModelDir(name);
        var model = ModelFile.Load(dir); // config.json + model.safetensors through the production loader
        return (model, new OracleFixture(Path.Combine(dir, "oracle.safetensors")));
    }

    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    [InlineData("qwen2_mqa")]
    [InlineData("baichuan_alibi")]
    public async Task GreedyTokensEqualPyTorch(string name)
    {
        var (model, fx) = Load(name);
        var prompt = fx.Values("greedy_prompt").Select(v => (int)v).ToArray();
        var expected = fx.Values("greedy_tokens").Select(v => (int)v).ToArray();
        var gen = new TextGenerator(model);
        var opts = new GenerationOptions { MaxNewTokens = expected.Length };
        var r = gen.Generate(prompt, opts);
        Assert.Equal(expected, r.Tokens);
        Assert.Equal(FinishReason.Length, r.Finish);
        Assert.True(r.PrefillTokensPerSecond > 0 && r.DecodeTokensPerSecond > 0);
        var streamed = new List<int>();
        await foreach (var t in gen.StreamAsync(prompt, opts)) streamed.Add(t);
        Assert.Equal(expected, streamed);
        model.Dispose();
    }

    [Fact]
    public void StopTokenEndsGenerationAndSamplingIsSeeded()
    {
        var (model, fx) = Load("llama_gqa");
        var prompt = fx.Values("greedy_prompt").Select(v => (int)v).ToArray();
        var expected = fx.Values("greedy_tokens").Select(v => (int)v).ToArray();
        var gen = new TextGenerator(model);
        var r = gen.Generate(prompt, new GenerationOptions { MaxNewTokens = 12, StopTokens = [expected[2]] });
        Assert.Equal(FinishReason.Stop, r.Finish);
        Assert.Equal(expected[..(Array.IndexOf(expected, expected[2]) + 1)], r.Tokens);
        var sampled = new GenerationOptions { MaxNewTokens = 10, Sampling = new SamplingOptions { Temperature = 1.2f, TopP = 0.9f, Seed = 5 } };
        Assert.Equal(gen.Generate(prompt, sampled).Tokens, gen.Generate(prompt, sampled).Tokens);
        var batch = gen.Generate([prompt, prompt[..2]], new GenerationOptions { MaxNewTokens = 3 });
        Assert.Equal(expected[..3], batch[0].Tokens);
        Assert.Equal(3, batch[1].Tokens.Length);
        model.Dispose();
    }

    [Fact]
    public void BadRequestsFailBeforeTheModelRuns()
    {
        var (model, _) = Load("llama_gqa");
        var gen = new TextGenerator(model);
        var tooLong = Assert.Throws<ArgumentException>(() => gen.Generate(Enumerable.Range(0, 30).ToArray(), new GenerationOptions { MaxNewTokens = 10 }));
        Assert.Contains("context length 32", tooLong.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => gen.Generate([1, 2], new GenerationOptions { MaxNewTokens = 5, Sampling = new SamplingOptions { TopP = 1.5f } }));
        var badToken = Assert.Throws<ArgumentOutOfRangeException>(() => gen.Generate([1, 999], new GenerationOptions { MaxNewTokens = 5 }));
        Assert.Contains("999", badToken.Message);
        model.Dispose();
    }
}

public class BeamSearchTests
{
    [Theory]
    [InlineData("llama_gqa")]
    [InlineData("gpt2")]
    public void BeamsEqualThePyTorchReference(string name)
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", name);
        using var model = ModelFile.Load(dir);
        var fx = new OracleFixture(Path.Combine(dir, "oracle.safetensors"));
        var prompt = fx.Values("greedy_prompt").Select(v => (int)v).ToArray();
        int stop = (int)fx.Values("beam_stop")[0];
        var hyps = new BeamSearch(model).Run(prompt, beams: 3, maxNewTokens: 5, lengthPenalty: 1f, stopTokens: [stop]);
        var scores = fx.Values("beam_scores");
        Assert.Equal(scores.Length, hyps.Count);
        for (int i = 0; i < hyps.Count; i++)
        {
            Assert.Equal(fx.Values($"beam_tokens.{i}").Select(v => (int)v).ToArray(), hyps[i].Tokens);
            Assert.Equal(scores[i], hyps[i].Score, 1e-4);
        }
    }
}
