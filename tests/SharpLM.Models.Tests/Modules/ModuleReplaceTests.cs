// Module.Replace: a LoRA-like wrapper with B = 0 put on every layer's q_proj leaves the logits bit-identical,
// one with B ≠ 0 changes them, its parameters appear under the wrapped path, gradients reach it through the
// parent's forward, and bad patterns fail naming themselves.
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;
using Xunit;

namespace SharpLM.Models.Tests.Modules;

/// <summary>y = base(x) + x Aᵀ Bᵀ, the LoRA form, for tests only.</summary>
internal sealed class TestLora : Module, ILinearLayer
{
    private readonly Linear _base;
    public Tensor A { get; }
    public Tensor B { get; }
    public int InFeatures => _base.InFeatures;
    public int OutFeatures => _base.OutFeatures;

    public TestLora(Linear baseLayer, int rank, bool zeroB, ulong seed)
    {
        var gen = new Generator(seed);
        _base = Child("base_layer", baseLayer);
        A = Parameter("lora_A.weight", Tensor.Randn([rank, baseLayer.InFeatures], gen, 0.5f));
        B = Parameter("lora_B.weight", zeroB ? Tensor.Zeros([baseLayer.OutFeatures, rank]) : Tensor.Randn([baseLayer.OutFeatures, rank], gen, 0.5f));
    }

    public Tensor Forward(Tensor x) => _base.Forward(x) + Ops.Matmul(Ops.Matmul(x, A.Transpose(0, 1)), B.Transpose(0, 1));
}

public class ModuleReplaceTests
{
    private static Tensor Ids() => Tensor.FromArray(new[] { 1, 5, 9, 2, 33, 7, 0, 63, 12, 4 }, 2, 5);

    private static float[] Logits(DecoderModel m)
    {
        using var s = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        return m.Forward(Ids()).ToArray();
    }

    [Fact]
    public void ZeroWrapperKeepsLogitsBitIdenticalAndNonZeroChangesThem()
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama, seed: 7);
        model.Eval();
        var before = Logits(model);
        Assert.Equal(2, model.Replace<Linear>("layers.*.self_attn.q_proj", l => new TestLora(l, 2, zeroB: true, 1)));
        Assert.Equal(before, Logits(model));

        using var other = new DecoderModel(DecoderPresets.TinyLlama, seed: 7);
        other.Eval();
        Assert.Equal(2, other.Replace<Linear>("layers.*.self_attn.q_proj", l => new TestLora(l, 2, zeroB: false, 1)));
        var changed = Logits(other);
        float maxDiff = before.Zip(changed, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff > 1e-3f, $"logits moved by only {maxDiff}");
    }

    [Fact]
    public void ParametersOfTheReplacementAppearUnderTheWrappedPathAndGetGradients()
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama, seed: 3);
        long baseCount = model.ParameterCount;
        model.Replace<Linear>("model.layers.1.self_attn.q_proj", l => new TestLora(l, 4, zeroB: true, 2));
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("model.layers.1.self_attn.q_proj.base_layer.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.lora_A.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.lora_B.weight", names);
        Assert.DoesNotContain("model.layers.1.self_attn.q_proj.weight", names);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", names);           // layer 0 untouched
        Assert.Equal(baseCount + 4 * 32 + 32 * 4, model.ParameterCount);
        var state = model.StateDict();
        Assert.Equal([32, 4], state["model.layers.1.self_attn.q_proj.lora_B.weight"].Shape.ToArray());

        // The parent's forward runs the wrapper: with B = 0, B gets a gradient (A does not).
        using (var s = TensorScope.Begin())
        {
            var targets = Tensor.FromArray(new[] { 5, 9, 2, 33, 7, 0, 63, 12, 4, 1 }, 2, 5);
            DecoderModel.Loss(model.Forward(Ids()), targets).Backward();
        }
        var gradB = state["model.layers.1.self_attn.q_proj.lora_B.weight"].Grad!.ToArray();
        Assert.True(gradB.Max(Math.Abs) > 1e-6f, "lora_B received no gradient");
        Assert.All(state["model.layers.1.self_attn.q_proj.lora_A.weight"].Grad!.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void BadPatternsFailNamingThePattern()
    {
        using var model = new DecoderModel(DecoderPresets.TinyLlama);
        Assert.Contains("'layers.*.self_attn.x_proj'",
            Assert.Throws<InvalidOperationException>(() => model.Replace("layers.*.self_attn.x_proj", m => m)).Message);
        // Norms are held directly by the layer, not through a slot.
        Assert.Contains("held directly", Assert.Throws<InvalidOperationException>(() => model.Replace("input_layernorm", m => m)).Message);
        // A replacement the parent cannot read as a projection.
        Assert.Contains("not one", Assert.Throws<InvalidOperationException>(
            () => model.Replace("q_proj", m => new Norm(NormKind.RmsNorm, 32, 1e-5f))).Message);
        Assert.Throws<ArgumentException>(() => model.Replace("layers..q_proj", m => m));
    }

    [Theory]
    [InlineData("q_proj", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("layers.*.self_attn.q_proj", "model.layers.12.self_attn.q_proj", true)]
    [InlineData("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.q_proj", true)]
    [InlineData("layers.*.q_proj", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("proj", "model.layers.0.self_attn.q_proj", false)]
    [InlineData("*", "lm_head", true)]
    public void PatternsMatchWholeTrailingSegments(string pattern, string path, bool expected) =>
        Assert.Equal(expected, new ModulePattern(pattern).Matches(path));
}
