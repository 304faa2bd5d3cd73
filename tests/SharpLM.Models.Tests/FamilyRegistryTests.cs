// The family registry: every family is complete (HF architectures, names, presets, a GGUF arch of its own),
// lookups by HF architecture and GGUF arch find it, the names table matches what the module tree registers,
// and ModelFile.LoadModule opens BERT (BertForMaskedLM) as well as decoders, with PyTorch's logits.
using SharpLM.Models.Bert;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Families;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Models.Tests;

public class FamilyRegistryTests
{
    public static IEnumerable<object[]> Families => DecoderFamilies.All.Select(f => new object[] { f.Name });

    [Theory]
    [MemberData(nameof(Families))]
    public void EveryFamilyIsCompleteAndFoundByItsNames(string name)
    {
        var f = DecoderFamilies.All.Single(x => x.Name == name);
        Assert.NotEmpty(f.HfArchitectures);
        foreach (var arch in f.HfArchitectures) Assert.Same(f, DecoderFamilies.ForHfArchitecture(arch));
        Assert.Same(f, DecoderFamilies.ForGgufArch(f.Gguf.Arch));
        Assert.NotEmpty(f.Presets);
        foreach (var (preset, config) in f.Presets)
        {
            Assert.Same(f, DecoderFamilies.For(config));                     // the family writes its own presets
            Assert.Same(config, DecoderPresets.ByName[preset]);
            var layout = DecoderLayout.Parameters(config).Select(p => p.Name).ToList();
            Assert.Contains(f.Names.Embed + ".weight", layout);
        }
    }

    [Fact]
    public void GgufArchitecturesAreDistinct() =>
        Assert.Equal(DecoderFamilies.All.Count, DecoderFamilies.All.Select(f => f.Gguf.Arch).Distinct().Count());

    [Fact]
    public void LoadModuleOpensBertWithPyTorchLogitsAndLoadRefusesIt()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert_mlm");
        var fx = new OracleFixture(Path.Combine(dir, "oracle.safetensors"));
        using var module = ModelFile.LoadModule(dir);
        var bert = Assert.IsType<BertForMaskedLM>(module);
        bert.Eval();
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var logits = bert.Forward(fx.Load("input_ids"), fx.Load("token_type_ids"), fx.Load("attention_mask")).ToArray();
        Assert.True(Close.MaxAbsDiff(logits, fx.Values("logits")) <= 1e-4);
        var e = Assert.Throws<SharpLM.Formats.ModelFormatException>(() => ModelFile.Load(dir));
        Assert.Contains("LoadModule", e.Message);
        using var decoder = ModelFile.LoadModule(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2"));
        Assert.IsType<DecoderModel>(decoder);
    }
}
