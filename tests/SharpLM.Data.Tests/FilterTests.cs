// Filter tests: language id on real English / Chinese / German / C# text, Gopher heuristics on hand-built documents
// with hand-counted statistics, keyword block-lists, and the n-gram perplexity filter; each drop names its reason.
using SharpLM.Data.Filters;
using SharpLM.Data.IO;
using SharpLM.Data.NGram;
using SharpLM.TestSupport;

namespace SharpLM.Data.Tests;

public class FilterTests
{
    private static Document Doc(string text) => new("t", text, "test");

    [Fact]
    public void LanguageIdOnRealText()
    {
        var en = string.Join('\n', File.ReadLines(RepoPaths.SharedData("corpora", "tinyshakespeare.txt")).Skip(100).Take(40));
        var zh = string.Join('\n', File.ReadLines(RepoPaths.SharedData("corpora", "tang-poems.txt")).Take(20));
        var de = string.Join('\n', File.ReadLines(RepoPaths.SharedData("bpe-reference", "german.txt")).Take(20));
        var code = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "SharpLM.Data", "Dedup", "MinHash.cs"));
        Assert.Equal(Language.English, LanguageId.Score(en).Language);
        Assert.Equal(Language.Chinese, LanguageId.Score(zh).Language);
        Assert.Equal(Language.Other, LanguageId.Score(de).Language);
        Assert.Equal(Language.Code, LanguageId.Score(code).Language);
        var f = new LanguageFilter(Language.English);
        Assert.Null(f.Reject(Doc(en)));
        Assert.Equal("language:chinese", f.Reject(Doc(zh)));
    }

    private static string Prose(int sentences) => string.Join(' ', Enumerable.Range(0, sentences).Select(i =>
        $"The river number {i} ran to the sea with a quiet song, and that boat had to wait for the tide of morning."));

    [Fact]
    public void GopherQualityHeuristics()
    {
        var g = new GopherFilter();
        Assert.Null(g.Quality(Prose(4)));
        Assert.Equal("gopher:word_count", g.Quality("the cat and the dog"));
        Assert.Equal("gopher:mean_word_length", g.Quality(string.Join(' ', Enumerable.Repeat("a to of", 30))));
        Assert.Equal("gopher:symbol_to_word", g.Quality(Prose(3) + " " + string.Join(' ', Enumerable.Repeat("#tag", 12))));
        Assert.Equal("gopher:ellipsis_lines", g.Quality(string.Join('\n', Enumerable.Range(0, 10).Select(i => $"and then the story {i} went on and on with that ..."))));
        Assert.Equal("gopher:stop_words", g.Quality(string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}x"))));
        Assert.Equal("gopher:alpha_words", g.Quality(Prose(2) + " " + string.Join(' ', Enumerable.Range(0, 80).Select(i => $"{i * 7}"))));
    }

    [Fact]
    public void GopherRepetitionHeuristics()
    {
        var g = new GopherFilter();
        Assert.Null(g.Repetition(string.Join('\n', File.ReadLines(RepoPaths.SharedData("corpora", "tinyshakespeare.txt")).Skip(200).Take(40))));
        // 4 lines, 2 repeats: dup line fraction 0.5 > 0.3
        Assert.Equal("gopher:dup_line_fraction", g.Repetition("alpha line one\nbeta line two\nalpha line one\nalpha line one"));
        // top 2-gram: "x y" 10 times over 20 words of 1 char -> chars 20 of 20 = 1.0
        var words = Enumerable.Repeat("x y", 10).SelectMany(s => s.Split(' ')).ToArray();
        Assert.Equal(20, GopherFilter.TopNGramChars(words, 2));
        // duplicated 5-grams: "a b c d e f a b c d e g" -> words 0-4 and 6-10 covered, 10 chars
        Assert.Equal(10, GopherFilter.DupNGramChars("a b c d e f a b c d e g".Split(' '), 5));
    }

    [Fact]
    public void KeywordFilterMatchesWholeWordsAndCjk()
    {
        var k = new KeywordFilter(["casino", "free money", "赌博"]);
        Assert.Equal("keywords", k.Reject(Doc("Win FREE MONEY now")));
        Assert.Equal("keywords", k.Reject(Doc("网上赌博网站")));
        Assert.Null(k.Reject(Doc("the casinos of old")));
        Assert.Equal(2, k.Hits("casino, Casino"));
    }

    [Fact]
    public void PerplexityFilterSeparatesInDomainFromNoise()
    {
        var lines = File.ReadAllText(RepoPaths.SharedData("corpora", "tinyshakespeare.txt")).Split('\n');
        var lm = KneserNey.Train(lines.Take(20000), new KneserNeyOptions { Order = 3 });
        var f = new PerplexityFilter(lm, maxPerplexity: 1500);
        var inDomain = string.Join('\n', lines.Skip(20000).Take(50));
        var rng = new Random(5);
        var noise = string.Join(' ', Enumerable.Range(0, 200).Select(_ => new string(Enumerable.Range(0, 6).Select(_ => (char)('a' + rng.Next(26))).ToArray())));
        Assert.InRange(f.Perplexity(inDomain), 50, 1500);
        Assert.True(f.Perplexity(noise) > 1500, $"noise ppl {f.Perplexity(noise)}");
        Assert.Null(f.Reject(Doc(inDomain)));
        Assert.Equal("perplexity:high", f.Reject(Doc(noise)));
        var chain = new FilterChain([new GopherFilter(), f]);
        Assert.False(chain.Keep(Doc(noise)));
        Assert.False(chain.Keep(Doc("too short")));
        Assert.Equal(1, chain.Reasons["gopher:word_count"]);
    }
}
