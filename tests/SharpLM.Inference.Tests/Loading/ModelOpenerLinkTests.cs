// ModelOpener through symbolic links: a Hugging Face hub cache built from the PyTorch-checked llama_gqa fixture
// (blobs + relative snapshot links + refs/main, with GPT-2's tokenizer.json) opens from models--org--name on the
// engine with PyTorch's logits and its tokenizer; a GGUF reached through a relative link opens on the engine from
// the map; a dangling link, and a cache whose snapshot is missing, fail with one line naming what is missing.
using SharpLM.Formats;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Models.Checkpoints;
using SharpLM.Text.Formats;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Inference.Tests.Loading;

public sealed class ModelOpenerLinkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-opener-links-" + Guid.NewGuid().ToString("N")[..8]);

    public ModelOpenerLinkTests() => Directory.CreateDirectory(_dir);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture => ModelOpenerTests.Fixture("llama_gqa");

    /// <summary>PyTorch's logits of the fixture's first oracle sequence, at its last position.</summary>
    private static (int[] Ids, double[] Logits) Oracle()
    {
        var fx = new OracleFixture(Path.Combine(Fixture, "oracle.safetensors"));
        int t = fx.Shape("input_ids")[1], v = fx.Shape("logits")[2];
        var ids = fx.Values("input_ids")[..t].Select(x => (int)x).ToArray();
        return (ids, fx.Values("logits")[((t - 1) * v)..(t * v)]);
    }

    private static float[] Last(OpenedModel opened, int[] ids)
    {
        var logits = new float[opened.Lm.VocabSize];
        opened.Lm.Forward(ids, 0, logits);
        return logits;
    }

    [Fact]
    public void AHubCacheFolderOpensWithPyTorchsLogitsAndItsTokenizer()
    {
        string source = Path.Combine(_dir, "source");
        Directory.CreateDirectory(source);
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(Fixture, f), Path.Combine(source, f));
        HfTokenizerJsonWriter.Write(TokenizerLoader.Load(RepoPaths.SharedData("tokenizers", "gpt2")), Path.Combine(source, "tokenizer.json"));
        string cache = LinkTrees.HubCache(Path.Combine(_dir, "hub"), "org/llama-gqa", source, "9e8d7c6b5a");
        string snapshot = Path.Combine(cache, "snapshots", "9e8d7c6b5a");
        Assert.NotNull(new FileInfo(Path.Combine(snapshot, "model.safetensors")).LinkTarget);

        using var opened = ModelOpener.Open(cache, new ModelOpenOptions { Tokenizer = TokenizerUse.Required });
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal(ModelFileFormat.HfDirectory, opened.Format);
        Assert.Equal(snapshot, opened.Path);
        var (ids, expected) = Oracle();
        double d = Close.MaxAbsDiff(Last(opened, ids), expected);
        Assert.True(d <= 1e-4, $"hub cache on the engine vs PyTorch: max |Δ| = {d:E2}");
        Assert.Equal(Path.Combine(snapshot, "tokenizer.json"), opened.Tokenizer!.Source);
        Assert.Equal([15496, 995], opened.Tokenizer.Encode("Hello world"));
        Assert.Equal([15496, 995], ModelOpener.OpenTokenizer(cache).Encode("Hello world"));
        Assert.Equal(ModelFileFormat.HfDirectory, ModelOpener.Detect(cache));
    }

    [Fact]
    public void AGgufOnlyHubCacheOpensItsSingleGgufFile()
    {
        using var model = ModelFile.Load(Fixture);
        string src = Path.Combine(_dir, "gguf-repo");
        Directory.CreateDirectory(src);
        ModelFile.Save(model, Path.Combine(src, "model-f32.gguf"), ModelFileFormat.Gguf);
        File.WriteAllText(Path.Combine(src, "README.md"), "a GGUF-only repository");
        string cache = LinkTrees.HubCache(Path.Combine(_dir, "hub"), "org/llama-gqa-GGUF", src, "beef");
        using var opened = ModelOpener.Open(cache);
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal(ModelFileFormat.Gguf, opened.Format);
        var (ids, expected) = Oracle();
        double d = Close.MaxAbsDiff(Last(opened, ids), expected);
        Assert.True(d <= 1e-4, $"GGUF-only hub cache vs PyTorch: max |Δ| = {d:E2}");
        // Two GGUF files: the choice is the user's, named in the error.
        File.Copy(Path.Combine(src, "model-f32.gguf"), Path.Combine(src, "model-copy.gguf"));
        string two = LinkTrees.HubCache(Path.Combine(_dir, "hub2"), "org/two-GGUF", src, "cafe");
        var e = Assert.ThrowsAny<Exception>(() => ModelOpener.Open(two));
        Assert.Contains("model-copy.gguf", e.Message);
    }

    [Fact]
    public void AGgufThroughARelativeLinkOpensOnTheEngine()
    {
        using var model = ModelFile.Load(Fixture);
        Directory.CreateDirectory(Path.Combine(_dir, "blobs"));
        string real = Path.Combine(_dir, "blobs", "model.gguf");
        ModelFile.Save(model, real, ModelFileFormat.Gguf);
        string link = LinkTrees.Link(Path.Combine(_dir, "link.gguf"), real, relative: true);
        using var opened = ModelOpener.Open(link, new ModelOpenOptions { Tokenizer = TokenizerUse.Required });
        Assert.IsType<DecoderEngine>(opened.Lm);
        Assert.Equal(ModelFileFormat.Gguf, opened.Format);
        Assert.Equal(64, opened.Tokenizer!.VocabSize);            // the placeholder vocabulary inside the GGUF
        var (ids, expected) = Oracle();
        double d = Close.MaxAbsDiff(Last(opened, ids), expected);
        Assert.True(d <= 1e-4, $"GGUF through a link vs PyTorch: max |Δ| = {d:E2}");
    }

    [Fact]
    public void ADanglingLinkOrAMissingSnapshotIsOneLineOfBadInput()
    {
        string link = LinkTrees.Link(Path.Combine(_dir, "gone.gguf"), Path.Combine(_dir, "never-written.gguf"), relative: true);
        var e = Assert.Throws<FileNotFoundException>(() => ModelOpener.Open(link));
        Assert.Equal($"{link}: symbolic link to {Path.Combine(_dir, "never-written.gguf")}, which does not exist.", e.Message);
        Assert.True(ModelOpener.IsBadInput(e));

        string cache = LinkTrees.HubCache(Path.Combine(_dir, "hub"), "org/llama-gqa", Fixture, "aaaa");
        File.WriteAllText(Path.Combine(cache, "refs", "main"), "bbbb");
        var m = Assert.Throws<ModelFormatException>(() => ModelOpener.Open(cache));
        Assert.Equal($"{cache}: snapshots/bbbb: missing (refs/main names this revision, but it was not downloaded)", m.Message);
        Assert.True(ModelOpener.IsBadInput(m));
    }
}
