// TiktokenOracleTests: GPT-2's vocab.json + merges.txt must give exactly tiktoken's "gpt2" ids on the
// bpe-reference texts, and the cl100k_base / o200k_base rank files (from the Microsoft.ML.Tokenizers data
// packages) tiktoken's ids on the vocab test strings. Expected ids: Fixtures/gpt2-tiktoken.json, written by
// tests/oracles/tiktoken_gpt2.mjs.
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using SharpLM.Text.Bpe;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class TiktokenOracleTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("gpt2-tiktoken.json"))));

    internal static ByteLevelBpeTokenizer Gpt2() =>
        Gpt2VocabLoader.Load(SharedData.File_("tokenizers/gpt2/vocab.json"), SharedData.File_("tokenizers/gpt2/merges.txt"));

    internal static ByteLevelBpeTokenizer FromDataPackage(string encoding)
    {
        string asmName = encoding == "cl100k_base" ? "Microsoft.ML.Tokenizers.Data.Cl100kBase" : "Microsoft.ML.Tokenizers.Data.O200kBase";
        var asm = Assembly.Load(asmName);
        string res = asm.GetManifestResourceNames().Single(n => n.EndsWith(".tiktoken.deflate", StringComparison.Ordinal));
        using var s = new DeflateStream(asm.GetManifestResourceStream(res)!, CompressionMode.Decompress);
        return TiktokenLoader.Load(s, $"{asmName}:{res}", encoding);
    }

    public static TheoryData<string> Files => new() { "tinystories_sample.txt", "address.txt", "german.txt", "corpus.en" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Gpt2MatchesTiktoken(string file)
    {
        var tok = Gpt2();
        string text = File.ReadAllText(SharedData.File_("bpe-reference/" + file));
        var expected = Fixture.Value.RootElement.GetProperty("gpt2").GetProperty(file).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var got = tok.Encode(text);
        Assert.Equal(expected, got);
        Assert.Equal(text, tok.Decode(got));
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void RankFileMatchesTiktoken(string encoding)
    {
        var tok = FromDataPackage(encoding);
        var failures = new List<string>();
        foreach (var c in Fixture.Value.RootElement.GetProperty(encoding).EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var got = tok.Encode(text);
            if (!got.SequenceEqual(expected)) failures.Add($"\"{text}\": expected [{string.Join(' ', expected)}] got [{string.Join(' ', got)}]");
            Assert.Equal(text, tok.Decode(got));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal([100257], encoding == "cl100k_base" ? tok.Encode("<|endoftext|>", parseSpecial: true) : [100257]);
    }
}
