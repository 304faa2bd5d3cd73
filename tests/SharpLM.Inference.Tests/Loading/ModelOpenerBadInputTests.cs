// ModelOpener on bad input: every kind of path or file it cannot use stops the open with one typed exception
// whose message names the path and what was expected — a missing path, a folder without config.json or without
// weights, a file that is neither GGUF nor llama2.c, a truncated llama2.c file, a GGUF of an unknown
// architecture, a missing or malformed tokenizer when one is required, bad options — and IsBadInput knows each.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Loading;
using SharpLM.Text.Formats;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class ModelOpenerBadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-opener-bad-" + Guid.NewGuid().ToString("N")[..8]);

    public ModelOpenerBadInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>Opens <paramref name="path"/>, expects <typeparamref name="T"/>, and checks the message names the path and each expected phrase.</summary>
    private static T Fails<T>(string path, ModelOpenOptions? options, params string[] expected) where T : Exception
    {
        var e = Assert.Throws<T>(() => { using var _ = ModelOpener.Open(path, options); });
        Assert.Contains(path, e.Message);
        foreach (var x in expected) Assert.Contains(x, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(ModelOpener.IsBadInput(e), $"{e.GetType().Name} is not bad input");
        return e;
    }

    [Fact]
    public void AMissingPathNamesWhatAModelPathIs() =>
        Fails<FileNotFoundException>(Path.Combine(_dir, "nope"), null, "no such file or folder", "Hugging Face folder", "GGUF", "llama2.c");

    [Fact]
    public void AFolderWithoutConfigJsonSaysSo() =>
        Fails<ModelFormatException>(_dir, null, "config.json", "missing");

    [Fact]
    public void AFolderWithConfigButNoWeightsNamesTheWeights()
    {
        File.Copy(Path.Combine(ModelOpenerTests.Fixture("llama_gqa"), "config.json"), Path.Combine(_dir, "config.json"));
        Fails<ModelFormatException>(_dir, null, "model.safetensors");
    }

    [Fact]
    public void AFileThatIsNoModelNamesTheFormats()
    {
        string path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "hello");
        Fails<ModelFormatException>(path, null, "not a model file", "GGUF", "llama2.c");
    }

    [Fact]
    public void ATruncatedLlama2cFileSaysWhatIsMissing()
    {
        string path = Path.Combine(_dir, "model.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Fails<ModelFormatException>(path, null, "truncated", "expected 4 more bytes");
    }

    [Fact]
    public void AGgufOfAnUnknownArchitectureNamesIt()
    {
        string path = Path.Combine(_dir, "odd.gguf");
        GgufVocabWriter.Write(path, [new(GgufKeys.GeneralArchitecture, GgufValue.String("xyzformer"))]);
        Fails<ModelFormatException>(path, null, "xyzformer", "not supported");
    }

    [Fact]
    public void AMissingTokenizerWhenRequiredNamesTheFileLookedFor()
    {
        string fixture = ModelOpenerTests.Fixture("llama_gqa");
        Fails<FileNotFoundException>(fixture, new ModelOpenOptions { Tokenizer = TokenizerUse.Required }, Path.Combine(fixture, "tokenizer.json"), "no tokenizer");
        var e = Assert.Throws<FileNotFoundException>(() => ModelOpener.OpenTokenizer(fixture));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Throws<FileNotFoundException>(() => ModelOpener.OpenTokenizer(Path.Combine(_dir, "nope"))); // the path checks come first
    }

    [Fact]
    public void AMalformedTokenizerNamesItsFile()
    {
        string fixture = ModelOpenerTests.Fixture("llama_gqa");
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(fixture, f), Path.Combine(_dir, f));
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"model": {"type": "Martian"}}""");
        var e = Assert.ThrowsAny<Exception>(() => { using var _ = ModelOpener.Open(_dir); });
        Assert.True(ModelOpener.IsBadInput(e), $"{e.GetType().Name}: {e.Message}");
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Fact]
    public void BadOptionsAreArgumentErrors()
    {
        string fixture = ModelOpenerTests.Fixture("llama_gqa");
        Assert.Contains("MaxSequences", Assert.Throws<ArgumentException>(() => ModelOpener.Open(fixture, new ModelOpenOptions { MaxSequences = 0 })).Message);
        Assert.Contains("ContextLength", Assert.Throws<ArgumentException>(() => ModelOpener.Open(fixture, new ModelOpenOptions { ContextLength = 0 })).Message);
        Assert.Contains("no model path", Assert.Throws<ArgumentException>(() => ModelOpener.Open(" ")).Message);
    }
}
