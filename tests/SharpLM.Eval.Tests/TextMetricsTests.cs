// BLEU, chrF/chrF++, ROUGE and the Porter stemmer against the published test cases of sacreBLEU
// (test/test_bleu.py, test/test_sentence_bleu.py, test/test_chrf.py), the Hugging Face chrF metric card,
// Google's rouge-score (rouge/rouge_scorer_test.py) and NLTK's PorterStemmer (tests/oracles/porter_vectors.py).
using SharpLM.Eval.Metrics.Text;
using Xunit;

namespace SharpLM.Eval.Tests;

public class BleuTests
{
    private const string File = "sacrebleu_cases.json";
    public static IEnumerable<object[]> CorpusCases => Fixture.Cases(File, "bleu_corpus");
    public static IEnumerable<object[]> SentenceCases => Fixture.Cases(File, "bleu_sentence");
    public static IEnumerable<object[]> ComputeCases => Fixture.Cases(File, "bleu_compute");

    [Theory, MemberData(nameof(CorpusCases))]
    public void CorpusBleuEqualsSacreBleu(int index, string source)
    {
        var c = Fixture.Case(File, "bleu_corpus", index);
        var refs = c["refs"]!.AsArray().Select(s => (IReadOnlyList<string>)Fixture.Strings(s!)).ToArray();
        var o = new BleuOptions
        {
            Tokenizer = BleuTokenizers.Parse(c["tokenize"]!.GetValue<string>()),
            Smoothing = Bleu.ParseSmoothing(c["smooth"]!.GetValue<string>()),
            SmoothValue = Fixture.OptDouble(c["smooth_value"]),
            EffectiveOrder = c["effective_order"]!.GetValue<bool>(),
        };
        var score = Bleu.Corpus(Fixture.Strings(c["hyps"]!), refs, o).Score;
        Assert.True(Math.Abs(score - c["expected"]!.GetValue<double>()) <= c["tolerance"]!.GetValue<double>(), $"{source}: {score} vs {c["expected"]}");
    }

    [Theory, MemberData(nameof(SentenceCases))]
    public void SentenceBleuEqualsSacreBleu(int index, string source)
    {
        var c = Fixture.Case(File, "bleu_sentence", index);
        var o = new BleuOptions
        {
            Tokenizer = BleuTokenizers.Parse(c["tokenize"]!.GetValue<string>()),
            Smoothing = Bleu.ParseSmoothing(c["smooth"]!.GetValue<string>()),
            SmoothValue = Fixture.OptDouble(c["smooth_value"]),
            Lowercase = c["lowercase"]!.GetValue<bool>(),
            EffectiveOrder = true,
        };
        var score = Bleu.Sentence(c["hyp"]!.GetValue<string>(), Fixture.Strings(c["refs"]!), o).Score;
        Assert.True(Math.Abs(score - c["expected"]!.GetValue<double>()) < c["tolerance"]!.GetValue<double>(), $"{source}: {score} vs {c["expected"]}");
    }

    [Theory, MemberData(nameof(ComputeCases))]
    public void BleuFromStatisticsEqualsSacreBleu(int index, string source)
    {
        var c = Fixture.Case(File, "bleu_compute", index);
        var s = Bleu.Compute(c["correct"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray(), c["total"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray(),
            c["sys_len"]!.GetValue<long>(), c["ref_len"]!.GetValue<long>(), Bleu.ParseSmoothing(c["smooth"]!.GetValue<string>()), Fixture.OptDouble(c["smooth_value"]));
        Assert.True(Math.Abs(s.Score - c["expected"]!.GetValue<double>()) <= c["tolerance"]!.GetValue<double>(), $"{source}: {s.Score} vs {c["expected"]}");
    }

    public static IEnumerable<object[]> MaxOrderCases => Fixture.Cases(File, "bleu_max_order");

    [Theory, MemberData(nameof(MaxOrderCases))]
    public void MaxOrderEqualsSacreBleu(int index, string source)
    {
        var c = Fixture.Case(File, "bleu_max_order", index);
        var refs = c["refs"]!.AsArray().Select(s => (IReadOnlyList<string>)Fixture.Strings(s!)).ToArray();
        var score = Bleu.Corpus(Fixture.Strings(c["hyps"]!), refs, new BleuOptions { MaxOrder = c["max_order"]!.GetValue<int>() }).Score;
        Assert.True(score.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) == c["expected"]!.GetValue<string>(), $"{source}: {score}");
    }

    [Fact]
    public void StatisticsEqualSacreBleu()
    {
        var c = Fixture.Case(File, "bleu_statistics", 0);
        var s = Bleu.Corpus([c["hyp"]!.GetValue<string>()], [[c["ref"]!.GetValue<string>()]], new BleuOptions { Tokenizer = BleuTokenizer.None });
        Assert.Equal(c["counts"]!.AsArray().Select(x => x!.GetValue<long>()), s.Counts);
        Assert.Equal(c["totals"]!.AsArray().Select(x => x!.GetValue<long>()), s.Totals);
    }

    [Fact]
    public void ZhTokenizerSplitsEveryCjkCharacter()
    {
        Assert.Equal("我 爱 北 京 天 安 门 , ok 3.5", BleuTokenizers.Tokenize("我爱北京天安门, ok 3.5", BleuTokenizer.Zh));
        Assert.Equal("我 爱 北 京 。", BleuTokenizers.Tokenize("我爱北京。", BleuTokenizer.Zh));
        // Identical Chinese sentences score 100; one wrong character out of four lowers 4-gram precision to 0.
        Assert.Equal(100.0, Bleu.Sentence("我爱北京天安门", ["我爱北京天安门"], new BleuOptions { Tokenizer = BleuTokenizer.Zh, EffectiveOrder = true }).Score, 10);
        Assert.Equal("a ( b ) , c . d 1.5 e-mail 1 - 2 &", BleuTokenizers.Tokenize("a(b), c. d 1.5 e-mail 1-2 &amp;", BleuTokenizer.Mteval13a));
    }

    [Fact]
    public void WrongLengthsAndEmptyReferencesFailNamingTheMetric()
    {
        var e = Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a", "b"], [["a"]]));
        Assert.Contains("bleu", e.Message);
        Assert.Contains("2 predictions for 1 references", e.Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Bleu.Sentence("a", [])).Message);
    }
}

public class ChrFTests
{
    private const string File = "sacrebleu_cases.json";
    public static IEnumerable<object[]> Cases => Fixture.Cases(File, "chrf");

    [Theory, MemberData(nameof(Cases))]
    public void ChrFEqualsSacreBleu(int index, string source)
    {
        var c = Fixture.Case(File, "chrf", index);
        var refs = c["refs"]!.AsArray().Select(s => (IReadOnlyList<string>)Fixture.Strings(s!)).ToArray();
        var o = new ChrFOptions
        {
            EpsSmoothing = c["eps"]!.GetValue<bool>(),
            Beta = c["beta"]!.GetValue<double>(),
            KeepWhitespace = c["whitespace"]!.GetValue<bool>(),
            WordOrder = c["word_order"]!.GetValue<int>(),
            Lowercase = c["lowercase"]!.GetValue<bool>(),
        };
        var hyps = Fixture.Strings(c["hyps"]!);
        var score = ChrF.Corpus(hyps, refs, o);
        Assert.True(Math.Abs(score - c["expected"]!.GetValue<double>()) < Math.Max(c["tolerance"]!.GetValue<double>(), 1e-9), $"{source}: {score} vs {c["expected"]}");
        if (hyps.Length == 1) Assert.Equal(score, ChrF.Sentence(hyps[0], refs.Select(r => r[0]).ToArray(), o), 12);
    }
}

public class RougeTests
{
    private const string File = "rouge_cases.json";
    public static IEnumerable<object[]> Cases => Fixture.Cases(File, "cases");

    [Theory, MemberData(nameof(Cases))]
    public void RougeEqualsRougeScore(int index, string source)
    {
        var c = Fixture.Case(File, "cases", index);
        var type = c["type"]!.GetValue<string>();
        var s = Rouge.Score(c["target"]!.GetValue<string>(), c["prediction"]!.GetValue<string>(), [type], c["stemmer"]!.GetValue<bool>())[type];
        int places = c["places"]!.GetValue<int>();
        // assertAlmostEqual(places=k): round(a - b, k) == 0.
        Assert.True(Math.Round(s.Recall - c["recall"]!.GetValue<double>(), places) == 0, $"{source}: recall {s.Recall}");
        Assert.True(Math.Round(s.Precision - c["precision"]!.GetValue<double>(), places) == 0, $"{source}: precision {s.Precision}");
        Assert.True(Math.Round(s.FMeasure - c["fmeasure"]!.GetValue<double>(), places) == 0, $"{source}: f {s.FMeasure}");
    }

    [Fact]
    public void InvalidTypesAndUnionLcs()
    {
        foreach (var t in new[] { "rougen", "rouge0", "rouge10" })
            Assert.Contains(t, Assert.Throws<ArgumentException>(() => Rouge.Score("testing one two", "testing", [t])).Message);
        // rouge_scorer_test.testLcsTable: LCS of [1,2,3,4,5] and [2,5,3,4] has length 3 at reference indices 1,2,3.
        string[] r = ["1", "2", "3", "4", "5"];
        Assert.Equal([1, 2, 3], Rouge.LcsIndices(r, ["2", "5", "3", "4"]));
        Assert.Empty(Rouge.LcsIndices(r, ["8", "9"]));
    }
}

public class PorterStemmerTests
{
    [Fact]
    public void StemsEqualNltk()
    {
        var stems = Fixture.Load("porter_vectors.json")["stems"]!.AsObject();
        Assert.True(stems.Count > 5000);
        var wrong = stems.Where(kv => PorterStemmer.Stem(kv.Key) != kv.Value!.GetValue<string>())
            .Select(kv => $"{kv.Key}: {PorterStemmer.Stem(kv.Key)} != {kv.Value}").Take(20).ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal("gener", PorterStemmer.Stem("generously"));
        Assert.Equal("sky", PorterStemmer.Stem("skies"));
    }
}
