// n-gram LM tests: the NLTK-variant Kneser-Ney against nltk.lm.KneserNeyInterpolated (tests/oracles/ngram_oracle.py),
// ARPA round-trips, and modified Kneser-Ney against hand-computed values and normalisation.
using System.Text.Json;
using SharpLM.Data.NGram;
using SharpLM.TestSupport;

namespace SharpLM.Data.Tests;

public class NGramTests
{
    private static string[] ShakespeareLines() => File.ReadAllText(RepoPaths.SharedData("corpora", "tinyshakespeare.txt")).Split('\n');

    private static JsonElement Fixture(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ngram", name))).RootElement;

    [Theory]
    [InlineData("nltk_kn_order2.json")]
    [InlineData("nltk_kn_order3.json")]
    [InlineData("nltk_kn_order5.json")]
    public void NltkVariantMatchesNltk(string fixture)
    {
        var fx = Fixture(fixture);
        var lines = ShakespeareLines();
        int order = fx.GetProperty("order").GetInt32();
        var options = new KneserNeyOptions { Order = order, Variant = KneserNeyVariant.NltkInterpolated, Discount = fx.GetProperty("discount").GetDouble() };
        var model = KneserNey.Train(lines.Take(fx.GetProperty("train_lines").GetInt32()), options);
        var path = Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}.arpa");
        Arpa.Write(model, path);
        var reread = Arpa.Read(path, SentencePadding.OrderMinusOne);
        File.Delete(path);
        var total = default(PerplexityResult);
        int checkedTokens = 0;
        foreach (var s in fx.GetProperty("sentences").EnumerateArray())
        {
            var words = lines[s.GetProperty("line").GetInt32()].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var expected = s.GetProperty("log2").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var ours = model.TokenLogProbs(words);
            var fromArpa = reread.TokenLogProbs(words);
            Assert.Equal(expected.Length, ours.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], ours[i] / Math.Log10(2), 1e-9);
                Assert.Equal(expected[i], fromArpa[i] / Math.Log10(2), 1e-6);
                checkedTokens++;
            }
            var r = model.Score(words);
            Assert.Equal(s.GetProperty("perplexity").GetDouble(), r.Perplexity, 1e-9 * r.Perplexity);
            total = total.Add(r);
        }
        Assert.True(checkedTokens > 300);
        double corpus = fx.GetProperty("corpus_perplexity").GetDouble();
        Assert.Equal(corpus, total.Perplexity, 1e-9 * corpus);
    }

    [Fact]
    public void ModifiedKneserNeyHandComputedBigram()
    {
        // <s> a b </s> twice, <s> b a </s>; unigram adjusted counts a=b=</s>=2 (distinct left words).
        var options = new KneserNeyOptions { Order = 2, FixedDiscounts = [[0.5, 0.5, 0.5], [0.5, 0.75, 1.0]] };
        var m = KneserNey.Train(["a b", "a b", "b a"], options);
        var v = m.Vocabulary;
        int a = v.IdOrUnk("a"), b = v.IdOrUnk("b");
        // p(a) = (2 - 0.5)/6 + gamma0/4, gamma0 = 1.5/6; p(<unk>) = gamma0/4
        Assert.Equal(Math.Log10(0.3125), m.LogProb([], a), 12);
        Assert.Equal(Math.Log10(0.0625), m.LogProb([], v.UnkId), 12);
        // context a: c(a b)=2, c(a </s>)=1 -> gamma(a) = (0.75 + 0.5)/3; p(b|a) = (2-0.75)/3 + gamma(a) p(b)
        Assert.Equal(Math.Log10(0.546875), m.LogProb([a], b), 12);
        // unseen bigram a <unk>: back-off gamma(a) * p(<unk>)
        Assert.Equal(Math.Log10(1.25 / 3 * 0.0625), m.LogProb([a], v.IdOrUnk("zzz")), 12);
        Assert.Equal(double.NegativeInfinity, m.LogProb([], v.BosId));
    }

    [Fact]
    public void ModifiedKneserNeyDiscountsFollowChenGoodman()
    {
        // n1..n4 = 100, 40, 20, 10: Y = 100/180
        var d = KneserNey.ModifiedDiscounts(100, 40, 20, 10);
        double y = 100.0 / 180;
        Assert.Equal(1 - 2 * y * 0.4, d[0], 12);
        Assert.Equal(2 - 3 * y * 0.5, d[1], 12);
        Assert.Equal(3 - 4 * y * 0.5, d[2], 12);
        Assert.Throws<ArgumentException>(() => KneserNey.ModifiedDiscounts(10, 0, 1, 1));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void ModifiedKneserNeyIsNormalisedAndRoundTripsThroughArpa(int order)
    {
        var lines = ShakespeareLines();
        var m = KneserNey.Train(lines.Take(2000), new KneserNeyOptions { Order = order });
        var v = m.Vocabulary;
        var contexts = new List<int[]> { Array.Empty<int>(), new[] { v.BosId } };
        foreach (var l in lines.Skip(2000).Where(l => l.Trim().Length > 0).Take(6))
        {
            var ids = l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v.IdOrUnk).ToArray();
            contexts.Add(ids.Take(Math.Min(order - 1, ids.Length)).ToArray());
        }
        foreach (var ctx in contexts)
        {
            double sum = 0;
            for (int w = 0; w < v.Count; w++) if (w != v.BosId) sum += Math.Pow(10, m.LogProb(ctx, w));
            Assert.Equal(1.0, sum, 9);
        }
        var path = Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}.arpa");
        Arpa.Write(m, path);
        var reread = Arpa.Read(path);
        File.Delete(path);
        var held = lines.Skip(2000).Take(500).ToArray();
        double a = m.ScoreCorpus(held).Perplexity, b = reread.ScoreCorpus(held).Perplexity;
        Assert.Equal(a, b, 1e-6 * a);
        Assert.InRange(a, 50, 2000);
    }

    [Fact]
    public void ArpaReaderReportsLineOfBadInput()
    {
        var bad = "\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\t<s>\nxyz\tfoo\n\\end\\\n";
        var e = Assert.Throws<FormatException>(() => Arpa.Read(new StringReader(bad), "bad.arpa"));
        Assert.Contains("bad.arpa:6", e.Message);
    }
}
