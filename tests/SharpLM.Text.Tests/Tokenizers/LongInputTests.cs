// LongInputTests: a 1 MB string without spaces is one pre-token (or, for SentencePiece, one symbol run);
// the merge loop must stay near-linear on it, not quadratic (a quadratic loop takes minutes here; the heap
// loop takes well under a second in Release). Run alone, not beside the other tests, so timing is fair.
using System.Diagnostics;
using System.Text;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

[CollectionDefinition(nameof(LongInputTests), DisableParallelization = true)]
public class LongInputCollection;

[Collection(nameof(LongInputTests))]
public class LongInputTests
{
    private static string NoSpaces(int chars)
    {
        var rng = new Random(1);
        var sb = new StringBuilder(chars);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        while (sb.Length < chars) sb.Append(alphabet[rng.Next(alphabet.Length)]);
        return sb.ToString();
    }

    [Theory]
    [InlineData("gpt-2")]
    [InlineData("llama-spm")]
    public void OneMegabyteWithoutSpaces(string name)
    {
        var tok = GgufTokenizerLoader.Load(SharedData.File_($"tokenizers/gguf-vocab/ggml-vocab-{name}.gguf"));
        string text = NoSpaces(1 << 20);
        var sw = Stopwatch.StartNew();
        var ids = tok.Encode(text);
        sw.Stop();
        Assert.True(sw.Elapsed.TotalSeconds < 5, $"{name}: 1 MB took {sw.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(text, tok.Decode(ids));
    }
}
