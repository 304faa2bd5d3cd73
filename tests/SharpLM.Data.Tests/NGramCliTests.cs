// End-to-end `sharplm ngram train | ppl` path (NGramFiles, which NGramCommand calls): text file -> NltkInterpolated
// model -> ARPA file -> perplexity from the file, against NLTK 3.8 on a slice no other fixture uses
// (tests/oracles/ngram_cli_oracle.py -> Fixtures/ngram/nltk_cli_ppl.json), for orders 2, 3 and 5; and the
// ARPA convention (--padding arpa, or a file without the padding marker) still gives the old figures.
using System.Text.Json;
using SharpLM.Data.NGram;
using SharpLM.TestSupport;

namespace SharpLM.Data.Tests;

public sealed class NGramCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharplm-ngram-").FullName;
    private readonly JsonElement _fx = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ngram", "nltk_cli_ppl.json"))).RootElement;
    private readonly string _train, _test;
    private readonly int _testWords, _testSentences;

    public NGramCliTests()
    {
        var lines = File.ReadAllText(RepoPaths.SharedData("corpora", "tinyshakespeare.txt")).Split('\n');
        var range = _fx.GetProperty("train_lines").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var test = _fx.GetProperty("test_lines").EnumerateArray().Select(e => lines[e.GetInt32()]).ToArray();
        _train = Path.Combine(_dir, "train.txt");
        _test = Path.Combine(_dir, "test.txt");
        File.WriteAllLines(_train, lines[range[0]..range[1]]);
        File.WriteAllLines(_test, test);
        _testSentences = test.Length;
        _testWords = _fx.GetProperty("test_words").GetInt32();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Order, double Perplexity, long Predictions) Expected(int order)
    {
        var e = _fx.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("order").GetInt32() == order);
        return (order, e.GetProperty("perplexity").GetDouble(), e.GetProperty("predictions").GetInt64());
    }

    private string TrainNltk(int order)
    {
        var arpa = Path.Combine(_dir, $"nltk{order}.arpa");
        var options = new KneserNeyOptions { Order = order, Variant = KneserNeyVariant.NltkInterpolated, Discount = _fx.GetProperty("discount").GetDouble() };
        NGramFiles.Train(_train, options, arpa);
        return arpa;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void PplOfNltkModelFileMatchesNltk(int order)
    {
        var (_, ppl, predictions) = Expected(order);
        Assert.Equal(_testWords + _testSentences * (order - 1), predictions); // every n-gram of the padded sentence
        var arpa = TrainNltk(order);
        Assert.Contains($"{Arpa.PaddingMarker} nltk", File.ReadLines(arpa).TakeWhile(l => l != "\\data\\"));
        var (r, used) = NGramFiles.Perplexity(arpa, _test);
        Assert.Equal(SentencePadding.OrderMinusOne, used);
        Assert.Equal(predictions, r.Predictions);
        Assert.Equal(0, r.Oov);
        Assert.Equal(ppl, r.Perplexity, 1e-6 * ppl);
    }

    [Theory]
    [InlineData(2, 361.4741)]
    [InlineData(3, 666.6712)]
    public void ArpaPaddingStillScoresTheArpaWay(int order, double issueFigure)
    {
        // the figures `ngram ppl` printed before the padding marker existed (the issue's table, 4 decimals)
        var arpa = TrainNltk(order);
        var (forced, used) = NGramFiles.Perplexity(arpa, _test, SentencePadding.Single);
        Assert.Equal(SentencePadding.Single, used);
        Assert.Equal(_testWords + _testSentences, forced.Predictions);
        Assert.Equal(issueFigure, forced.Perplexity, 5e-5);
        // an ARPA file without the marker (e.g. from KenLM, or written before it existed) is scored the same way
        var bare = Path.Combine(_dir, "bare.arpa");
        File.WriteAllLines(bare, File.ReadLines(arpa).Where(l => !l.StartsWith('#')));
        var (unmarked, usedBare) = NGramFiles.Perplexity(bare, _test);
        Assert.Equal(SentencePadding.Single, usedBare);
        Assert.Equal(forced, unmarked);
    }

    [Fact]
    public void ModifiedModelFileRecordsArpaPaddingAndNltkCanBeForced()
    {
        var arpa = Path.Combine(_dir, "modified.arpa");
        NGramFiles.Train(_train, new KneserNeyOptions { Order = 3 }, arpa);
        Assert.Contains($"{Arpa.PaddingMarker} arpa", File.ReadLines(arpa).TakeWhile(l => l != "\\data\\"));
        var (r, used) = NGramFiles.Perplexity(arpa, _test);
        Assert.Equal(SentencePadding.Single, used);
        Assert.Equal(_testWords + _testSentences, r.Predictions);
        var (n, _) = NGramFiles.Perplexity(arpa, _test, SentencePadding.OrderMinusOne);
        Assert.Equal(_testWords + 2 * _testSentences, n.Predictions);
    }

    [Fact]
    public void BadPaddingMarkerIsReportedWithItsLine()
    {
        var bad = "# hello\n# sharplm-padding: both\n\n\\data\\\nngram 1=1\n\n\\1-grams:\n-1\t<s>\n\\end\\\n";
        var e = Assert.Throws<FormatException>(() => Arpa.Read(new StringReader(bad), "bad.arpa"));
        Assert.Contains("bad.arpa:2", e.Message);
        Assert.Throws<ArgumentException>(() => KneserNey.Train(["a b"], new KneserNeyOptions { Order = 2, Variant = KneserNeyVariant.NltkInterpolated, Discount = 0 }));
    }
}
