// Token shards: GPT-2 ids of tinyshakespeare paragraphs written as uint16 shards with headers, read back as
// exactly the concatenated encodings with EOS separators; an interrupted run (last shards lost) resumes to
// byte-identical files; a different tokenizer in the same folder is refused.
using SharpLM.Data.IO;
using SharpLM.Data.Shards;
using SharpLM.Text.Formats;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Data.Tests;

public class TokenShardTests
{
    [Fact]
    public void ShardsRoundTripResumeAndRefuseAnotherTokenizer()
    {
        var tok = Gpt2VocabLoader.Load(RepoPaths.SharedData("tokenizers", "gpt2", "vocab.json"), RepoPaths.SharedData("tokenizers", "gpt2", "merges.txt"));
        var text = File.ReadAllText(RepoPaths.SharedData("corpora", "tinyshakespeare.txt"))[..60_000];
        var docs = text.Split("\n\n").Select((t, i) => new Document($"d{i}", t, "tinyshakespeare")).ToList();
        int eos = tok.TokenToId("<|endoftext|>") ?? throw new InvalidOperationException("no <|endoftext|>");
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-shards-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = new ShardOptions(dir, "gpt2", tok.VocabSize, eos, TokensPerShard: 3000);
            var r = TokenShardWriter.Write(docs, s => tok.Encode(s), o);
            Assert.True(r.Shards >= 4, $"{r.Shards} shards");
            var expected = docs.SelectMany(d => tok.Encode(d.Text).Append(eos)).ToArray();
            Assert.Equal(expected.Length, r.Tokens);
            var reader = new TokenShardReader(dir);
            Assert.Equal(expected, reader.Tokens.ToArray());
            Assert.All(reader.Headers, h => Assert.Equal("uint16", h.DType));
            Assert.Equal(docs.Count, reader.Headers.Sum(h => h.DocumentStarts.Length));
            var first = reader.Headers[0];
            Assert.Equal(tok.Encode(docs[1].Text)[0], reader.Tokens[(int)first.DocumentStarts[1]]);

            // Interrupted run: the last two shards never completed. Resuming rewrites exactly the same bytes.
            var before = Directory.GetFiles(dir).OrderBy(f => f).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);
            for (int i = r.Shards - 2; i < r.Shards; i++) { File.Delete(TokenShardWriter.BinPath(o, i)); File.Delete(TokenShardWriter.HeaderPath(o, i)); }
            var again = TokenShardWriter.Write(docs, s => tok.Encode(s), o);
            Assert.Equal(r.Shards - 2, again.ResumedShards);
            var after = Directory.GetFiles(dir).OrderBy(f => f).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);
            Assert.Equal(before.Keys, after.Keys);
            foreach (var k in before.Keys) Assert.Equal(before[k], after[k]);

            var (x, y) = reader.SampleWindows(4, 16, new Random(1));
            for (int i = 0; i < 4; i++) Assert.Equal(x.AsSpan(i * 16 + 1, 15).ToArray(), y.AsSpan(i * 16, 15).ToArray());

            var other = o with { TokenizerName = "char" };
            Assert.Contains("tokenizer 'gpt2'", Assert.Throws<InvalidOperationException>(() => TokenShardWriter.Write(docs, s => tok.Encode(s), other)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
