// MalformedInputTests: bad files fail with messages that name the file and what was expected.
using System.Text;
using SharpLM.Formats.Gguf;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Text.Tests.Tokenizers;

public class MalformedInputTests
{
    private static string Temp(string name, byte[] content)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sharplm-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string p = Path.Combine(dir, name);
        File.WriteAllBytes(p, content);
        return p;
    }

    [Fact]
    public void GgufWithBadMagic()
    {
        string p = Temp("x.gguf", Encoding.ASCII.GetBytes("GGML....????????????????"));
        var ex = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(p));
        Assert.Contains(p, ex.Message);
        Assert.Contains("GGUF", ex.Message);
    }

    [Fact]
    public void GgufTruncated()
    {
        var bytes = File.ReadAllBytes(SharedData.File_("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf"))[..5000];
        string p = Temp("cut.gguf", bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(p));
        // The one GGUF reader (SharpLM.Formats) checks the array's count against the bytes left before reading it.
        Assert.Contains(p, ex.Message);
        Assert.Contains("tokenizer.ggml.tokens", ex.Message);
        Assert.Contains("remaining bytes", ex.Message);
    }

    [Fact]
    public void GgufUnknownModelType()
    {
        string p = Temp("odd.gguf", []);
        GgufVocabWriter.Write(p, [
            new("tokenizer.ggml.model", GgufValue.String("rwkv")),
            new("tokenizer.ggml.tokens", GgufValue.Array(new[] { "a" })),
        ]);
        var ex = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(p));
        Assert.Contains("tokenizer.ggml.model", ex.Message);
        Assert.Contains("rwkv", ex.Message);
    }

    [Fact]
    public void GgufInvalidUtf8Token()
    {
        string p = Temp("bad.gguf", []);
        GgufVocabWriter.Write(p, [new("tokenizer.ggml.model", GgufValue.String("gpt2"))]);
        var bytes = File.ReadAllBytes(p).ToList();
        int at = Encoding.ASCII.GetString(bytes.ToArray()).IndexOf("gpt2", StringComparison.Ordinal);
        bytes[at] = 0xFF;
        File.WriteAllBytes(p, bytes.ToArray());
        var ex = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(p));
        Assert.Contains("tokenizer.ggml.model", ex.Message);
        Assert.Contains("UTF-8", ex.Message);
    }

    [Fact]
    public void MergesLineWithUnknownToken()
    {
        string p = Temp("vocab.json", Encoding.UTF8.GetBytes("{\"a\":0,\"b\":1,\"ab\":2}"));
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(p)!, "merges.txt"), "#version: 0.2\na b\nab c\n");
        var ex = Assert.Throws<InvalidDataException>(() => Gpt2VocabLoader.Load(p, Path.Combine(Path.GetDirectoryName(p)!, "merges.txt")));
        Assert.Contains("merges.txt", ex.Message);
        Assert.Contains("merge 3", ex.Message);
    }

    [Fact]
    public void TiktokenBadLine()
    {
        string p = Temp("cl100k_base.tiktoken", Encoding.ASCII.GetBytes("IQ== 0\n!!notbase64 1\n"));
        var ex = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(p));
        Assert.Contains("line 2", ex.Message);
    }

    [Fact]
    public void UnknownExtension()
    {
        string p = Temp("vocab.xyz", [1, 2, 3]);
        var ex = Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(p));
        Assert.Contains(".xyz", ex.Message);
    }
}
