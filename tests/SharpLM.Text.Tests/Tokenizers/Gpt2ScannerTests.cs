// Gpt2ScannerTests: the hand-written GPT-2 pre-tokenizer must cut exactly where the GPT-2 regex does, on the
// corpora, the vocab test strings and random strings drawn from tricky characters (spaces of several kinds,
// apostrophes, digits, letters of many scripts, marks, emoji halves).
using System.Text;
using SharpLM.Text.PreTokenization;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class Gpt2ScannerTests
{
    private static void AssertSame(string text)
    {
        var fast = new List<PreToken>();
        var slow = new List<PreToken>();
        new RegexPreTokenizer(PreTokenizerPatterns.Gpt2).Split(text, fast);
        new RegexPreTokenizer(PreTokenizerPatterns.Gpt2) { UseScanner = false }.Split(text, slow);
        Assert.Equal(slow, fast);
    }

    [Theory]
    [InlineData("corpora/tinyshakespeare.txt")]
    [InlineData("corpora/tang-poems.txt")]
    [InlineData("bpe-reference/corpus.en")]
    [InlineData("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf.inp")]
    public void SameCutsAsRegexOnFiles(string file) => AssertSame(File.ReadAllText(SharedData.File_(file)));

    [Fact]
    public void SameCutsAsRegexOnRandomText()
    {
        string alphabet = " \t\n\r\u00A0\u2009\u3000\u0085''sStTrReEvVlLmMdD09٣½ⅫaZéß日本語한국어\u0301\u200D🦙😁.,!?-_()[]{}#$%&*+/<=>@\\^`|~\"";
        var runes = alphabet.EnumerateRunes().ToArray();
        var rng = new Random(7);
        for (int iter = 0; iter < 3000; iter++)
        {
            var sb = new StringBuilder();
            int len = rng.Next(1, 24);
            for (int k = 0; k < len; k++) sb.Append(runes[rng.Next(runes.Length)].ToString());
            AssertSame(sb.ToString());
        }
    }
}
