// Logits processors against the PyTorch oracle (HF generate() semantics, OpenAI penalties), seeded
// sampling reproducibility and its empirical distribution, and option validation.
using System.Text.Json;
using SharpLM.Inference.Sampling;
using Xunit;

namespace SharpLM.Inference.Tests;

public class SamplingTests
{
    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sampling.json"))).RootElement;

    public static IEnumerable<object[]> Cases => Fixture.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static SamplingOptions Options(JsonElement o)
    {
        float F(string k, float d) => o.TryGetProperty(k, out var v) ? v.GetSingle() : d;
        return new SamplingOptions
        {
            Temperature = F("temperature", 1f), TopK = o.TryGetProperty("top_k", out var k) ? k.GetInt32() : 0,
            TopP = F("top_p", 1f), MinP = F("min_p", 0f), RepetitionPenalty = F("repetition_penalty", 1f),
            FrequencyPenalty = F("frequency_penalty", 0f), PresencePenalty = F("presence_penalty", 0f),
            LogitBias = o.TryGetProperty("logit_bias", out var b) ? b.EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value.GetSingle()) : null,
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProcessorsMatchTheReference(string name)
    {
        var c = Fixture.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var logits = c.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var history = c.GetProperty("history").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var o = Options(c.GetProperty("options")).Validate(logits.Length);
        LogitsProcessors.Apply(logits, history, o);
        var expected = c.GetProperty("expected").EnumerateArray().ToArray();
        for (int i = 0; i < logits.Length; i++)
        {
            if (expected[i].ValueKind == JsonValueKind.Null) Assert.True(float.IsNegativeInfinity(logits[i]), $"{name}[{i}]: expected -inf, got {logits[i]}");
            else Assert.True(Math.Abs(logits[i] - expected[i].GetDouble()) <= 1e-5 * Math.Max(1, Math.Abs(expected[i].GetDouble())), $"{name}[{i}]: got {logits[i]}, expected {expected[i].GetDouble()}");
        }
        Assert.Equal(c.GetProperty("expected_argmax").GetInt32(), TokenSampler.Argmax(logits));
    }

    [Fact]
    public void SeededSamplingIsReproducibleAndFollowsTheDistribution()
    {
        float[] logits = [1f, 0f, 2f, -1f, 0.5f];
        var probs = LogitsProcessors.Softmax(logits);
        int[] Draw(ulong seed, int n)
        {
            var s = new TokenSampler(new SamplingOptions { Seed = seed }, logits.Length);
            return Enumerable.Range(0, n).Select(_ => s.Next((float[])logits.Clone(), [])).ToArray();
        }
        Assert.Equal(Draw(7, 200), Draw(7, 200));
        Assert.NotEqual(Draw(7, 200), Draw(8, 200));
        var draws = Draw(11, 20000);
        double chi2 = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double expected = probs[i] * draws.Length, seen = draws.Count(d => d == i);
            chi2 += (seen - expected) * (seen - expected) / expected;
        }
        Assert.True(chi2 < 18.47, $"chi-square {chi2:F2} over 4 degrees of freedom exceeds the 0.1% critical value"); // fixed seed: deterministic
    }

    [Fact]
    public void TopKOneAndGreedyPickTheArgmax()
    {
        float[] logits = [0.1f, 3f, 2.9f, -2f];
        Assert.Equal(1, new TokenSampler(SamplingOptions.Greedy, 4).Next((float[])logits.Clone(), []));
        for (ulong seed = 0; seed < 20; seed++)
            Assert.Equal(1, new TokenSampler(new SamplingOptions { TopK = 1, Seed = seed }, 4).Next((float[])logits.Clone(), []));
    }

    [Theory]
    [InlineData("top_p")]
    [InlineData("temperature")]
    [InlineData("min_p")]
    [InlineData("top_k")]
    [InlineData("logit_bias")]
    public void InvalidOptionsAreRejectedWithTheirName(string which)
    {
        var o = which switch
        {
            "top_p" => new SamplingOptions { TopP = 1.5f },
            "temperature" => new SamplingOptions { Temperature = -0.5f },
            "min_p" => new SamplingOptions { MinP = 2f },
            "top_k" => new SamplingOptions { TopK = -1 },
            _ => new SamplingOptions { LogitBias = new Dictionary<int, float> { [99] = 1f } },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate(10));
        Assert.Contains(which, e.Message);
    }
}
