// UnigramTests: a hand-written unigram tokenizer.json must give HF tokenizers' ids (Fixtures/unigram-tiny/
// expected.json, written by tests/oracles/hf_unigram.mjs): Viterbi choices, fused unknowns, "▁" splitting; and
// it must survive a write/read round trip through tokenizer.json.
using System.Text.Json;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class UnigramTests
{
    private static IEnumerable<(string Text, int[] Ids)> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Fixture("unigram-tiny/expected.json")));
        return doc.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray())).ToList();
    }

    [Fact]
    public void MatchesHfTokenizers()
    {
        var tok = TokenizerLoader.Load(SharedData.Fixture("unigram-tiny/tokenizer.json"));
        Assert.Equal("Unigram", tok.Kind);
        foreach (var (text, ids) in Cases()) Assert.Equal(ids, tok.Encode(text));
        Assert.Equal("hello world", tok.Decode(tok.Encode("hello world")));
    }

    [Fact]
    public void TokenizerJsonRoundTrip()
    {
        var tok = TokenizerLoader.Load(SharedData.Fixture("unigram-tiny/tokenizer.json"));
        string p = Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}.json");
        try
        {
            HfTokenizerJsonWriter.Write(tok, p);
            var back = HfTokenizerJsonReader.Load(p);
            foreach (var (text, ids) in Cases()) Assert.Equal(ids, back.Encode(text));
        }
        finally { File.Delete(p); }
    }
}
