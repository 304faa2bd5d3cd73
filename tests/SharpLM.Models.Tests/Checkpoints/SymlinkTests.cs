// Model files reached through symbolic links (the Hugging Face hub cache is made of them): the PyTorch-checked
// llama_gqa model saved as a HF folder (single file and sharded), GGUF and llama2.c loads with the same logits
// through an absolute link, a relative link, a chain of links and a linked folder; a hub cache folder
// (models--org--name) loads its refs/main snapshot; a dangling link, a cache without refs/main or without its
// snapshot stop with one message naming what is missing.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Models.Tests.Checkpoints;

public sealed class SymlinkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharplm-symlinks-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Tensor _ids;
    private readonly float[] _reference;
    private readonly DecoderModel _original;

    public SymlinkTests()
    {
        Directory.CreateDirectory(_dir);
        var fx = new OracleFixture(Path.Combine(Fixture, "oracle.safetensors"));
        _ids = fx.Load("input_ids");
        _original = ModelFile.Load(Fixture);
        _reference = Logits(_original, _ids);
        Assert.True(Close.MaxAbsDiff(_reference, fx.Values("logits")) <= 1e-4); // the real folder loads as PyTorch computed it
    }

    public void Dispose()
    {
        _original.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "llama_gqa");

    private static float[] Logits(DecoderModel m, Tensor ids)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        m.Eval();
        return m.Forward(ids).ToArray();
    }

    /// <summary>The model written in <paramref name="form"/> under real/; returns the path (a file, or the folder).</summary>
    private string Write(string form)
    {
        string real = Path.Combine(_dir, "real-" + form);
        Directory.CreateDirectory(real);
        switch (form)
        {
            case "gguf": ModelFile.Save(_original, Path.Combine(real, "model.gguf"), ModelFileFormat.Gguf); return Path.Combine(real, "model.gguf");
            case "bin": ModelFile.Save(_original, Path.Combine(real, "model.bin"), ModelFileFormat.Llama2c); return Path.Combine(real, "model.bin");
            case "hf": ModelFile.Save(_original, real, ModelFileFormat.HfDirectory); return real;
            default: // sharded: several model-0000i-of-0000n.safetensors and the index
                HfConfigWriter.Write(_original.Config, real);
                var files = ShardedCheckpoint.Write(real, _original.NamedParameters().Select(p => KeyValuePair.Create(p.Name, p.Param)), maxShardBytes: 16384);
                Assert.True(files.Count > 3, $"expected several shards, got {files.Count}");
                return real;
        }
    }

    /// <summary>The logits of the model behind <paramref name="path"/>, which must equal those of <paramref name="real"/>.</summary>
    private void AssertSameModel(string real, string path)
    {
        Assert.Equal(ModelFile.Detect(real), ModelFile.Detect(path));
        using var expected = ModelFile.Load(real);
        using var linked = ModelFile.Load(path);
        Assert.Equal(expected.Config, linked.Config);
        var want = Logits(expected, _ids);
        Assert.Equal(want, Logits(linked, _ids));
        if (ModelFile.Detect(real) != ModelFileFormat.Llama2c) Assert.Equal(_reference, want); // llama2.c has no epsilon field (1e-5 on load)
    }

    [Theory]
    [InlineData("gguf", false)]
    [InlineData("gguf", true)]
    [InlineData("bin", false)]
    [InlineData("bin", true)]
    public void AFileLoadsThroughALink(string form, bool relative)
    {
        string real = Write(form);
        string link = LinkTrees.Link(Path.Combine(_dir, "link." + form), real, relative);
        Assert.NotEqual(new FileInfo(real).Length, new FileInfo(link).Length); // what the old reader mapped
        AssertSameModel(real, link);
        // A chain: link → link → file, and the readers themselves see the target's length.
        string chain = LinkTrees.Link(Path.Combine(_dir, "chain." + form), link, relative);
        AssertSameModel(real, chain);
        if (form == "gguf")
        {
            using var g = GgufFile.Open(chain);
            Assert.Equal(_original.NamedParameters().Count(), g.Tensors.Count);
        }
    }

    [Theory]
    [InlineData("hf", false)]
    [InlineData("hf", true)]
    [InlineData("sharded", false)]
    [InlineData("sharded", true)]
    public void AFolderOfLinksLoads(string form, bool relative)
    {
        string real = Write(form);
        string linked = LinkTrees.LinkedFolder(Path.Combine(_dir, "links-" + form), real, relative);
        Assert.All(Directory.GetFiles(linked), f => Assert.NotNull(new FileInfo(f).LinkTarget));
        AssertSameModel(real, linked);
        using var ck = ShardedCheckpoint.Open(linked);
        Assert.Equal(form == "hf" ? 1 : Directory.GetFiles(real, "*.safetensors").Length, ck.Shards.Count);
        if (form == "hf")
        {
            using var f = SafetensorsFile.Open(Path.Combine(linked, "model.safetensors"));
            Assert.Equal(_original.NamedParameters().Count(), f.Tensors.Count);
        }
    }

    [Theory]
    [InlineData("hf")]
    [InlineData("sharded")]
    [InlineData("gguf")]
    [InlineData("bin")]
    public void ThroughALinkedFolder(string form)
    {
        string real = Write(form);
        string folderLink = Path.Combine(_dir, "folder-link-" + form);
        string realFolder = Directory.Exists(real) ? real : Path.GetDirectoryName(real)!;
        Directory.CreateSymbolicLink(folderLink, Path.GetFileName(realFolder)); // relative, as ln -s does
        AssertSameModel(real, Directory.Exists(real) ? folderLink : Path.Combine(folderLink, Path.GetFileName(real)));
    }

    [Fact]
    public void AHubCacheFolderLoadsItsMainSnapshot()
    {
        string cache = LinkTrees.HubCache(_dir, "org/tiny-llama", Write("sharded"), "4b2c9e0d1f");
        Assert.Equal(Path.Combine(cache, "snapshots", "4b2c9e0d1f"), ModelPath.Resolve(cache));
        AssertSameModel(Path.Combine(_dir, "real-sharded"), cache);
        AssertSameModel(Path.Combine(_dir, "real-sharded"), Path.Combine(cache, "snapshots", "4b2c9e0d1f"));
        Assert.Equal(HfConfig.Load(Path.Combine(_dir, "real-sharded")), HfConfig.Load(cache));
    }

    [Fact]
    public void ABrokenHubCacheNamesWhatIsMissing()
    {
        string cache = LinkTrees.HubCache(_dir, "org/tiny-llama", Write("hf"), "abc123");
        File.WriteAllText(Path.Combine(cache, "refs", "main"), "def456\n");
        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(cache));
        Assert.Equal($"{cache}: snapshots/def456: missing (refs/main names this revision, but it was not downloaded)", e.Message);
        File.Delete(Path.Combine(cache, "refs", "main"));
        e = Assert.Throws<ModelFormatException>(() => ModelFile.Detect(cache));
        Assert.StartsWith($"{cache}: refs/main: missing", e.Message);
        File.WriteAllText(Path.Combine(cache, "refs", "main"), "abc123\n"); // the trailing newline some tools write
        Assert.Equal(Path.Combine(cache, "snapshots", "abc123"), ModelPath.Resolve(cache));
    }

    [Fact]
    public void ADanglingLinkNamesTheLinkAndItsTarget()
    {
        string gguf = Write("gguf");
        string link = LinkTrees.Link(Path.Combine(_dir, "dangling.gguf"), gguf, relative: true);
        File.Move(gguf, gguf + ".moved");
        foreach (var load in new Action[] { () => ModelFile.Load(link), () => ModelFile.Detect(link), () => GgufFile.Open(link) })
        {
            var e = Assert.Throws<FileNotFoundException>(load);
            Assert.Equal($"{link}: symbolic link to {gguf}, which does not exist.", e.Message);
        }
        // Through a chain, the first hop is named as written and the missing end in brackets.
        string chain = LinkTrees.Link(Path.Combine(_dir, "chain.gguf"), link, relative: true);
        var c = Assert.Throws<FileNotFoundException>(() => ModelFile.Load(chain));
        Assert.Equal($"{chain}: symbolic link to dangling.gguf ({gguf}), which does not exist.", c.Message);
        // A hub snapshot whose blob was never downloaded: the link inside the folder is named.
        string cache = LinkTrees.HubCache(_dir, "org/partial", Write("sharded"), "rev1");
        string shard = Directory.GetFiles(Path.Combine(cache, "snapshots", "rev1"), "model-00002-*").Single();
        string blob = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(shard)!, new FileInfo(shard).LinkTarget!));
        File.Delete(blob);
        var s = Assert.Throws<FileNotFoundException>(() => ModelFile.Load(cache));
        Assert.Equal($"{shard}: symbolic link to {blob}, which does not exist.", s.Message);
    }
}
