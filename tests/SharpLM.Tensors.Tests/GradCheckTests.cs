// Finite-difference gradient check of every differentiable op (float64 difference quotients over the f32
// kernels), one row per op.
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;
using Xunit;

namespace SharpLM.Tensors.Tests;

public class GradCheckTests
{
    private sealed record Case(Func<Generator, Tensor[]> Inputs, Func<Tensor[], Tensor> F, double Eps = 1e-2, double Atol = 2e-3, double Rtol = 2e-2);

    private static Tensor R(Generator g, params int[] s) => Tensor.Randn(s, g);
    private static Tensor Pos(Generator g, params int[] s) => Tensor.Rand(s, g, 0.5f, 2f);
    private static Tensor I(int[] v, params int[] s) => Tensor.FromArray(v, s);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["add"] = new(g => [R(g, 3, 4), R(g, 4)], x => x[0] + x[1]),
        ["sub"] = new(g => [R(g, 2, 3), R(g, 2, 1)], x => x[0] - x[1]),
        ["mul"] = new(g => [R(g, 2, 1, 3), R(g, 4, 1)], x => x[0] * x[1]),
        ["div"] = new(g => [R(g, 3, 4), Pos(g, 3, 1)], x => x[0] / x[1]),
        ["neg"] = new(g => [R(g, 5)], x => -x[0]),
        ["exp"] = new(g => [R(g, 5)], x => Ops.Exp(x[0])),
        ["log"] = new(g => [Pos(g, 5)], x => Ops.Log(x[0])),
        ["sqrt"] = new(g => [Pos(g, 5)], x => Ops.Sqrt(x[0])),
        ["rsqrt"] = new(g => [Pos(g, 5)], x => Ops.Rsqrt(x[0])),
        ["pow"] = new(g => [Pos(g, 5)], x => Ops.Pow(x[0], 2.5f)),
        ["tanh"] = new(g => [R(g, 6)], x => Ops.Tanh(x[0])),
        ["sigmoid"] = new(g => [R(g, 6)], x => Ops.Sigmoid(x[0])),
        ["relu"] = new(g => [Pos(g, 6)], x => Ops.Relu(x[0] + (-1.2f))),
        ["silu"] = new(g => [R(g, 6)], x => Ops.Silu(x[0])),
        ["gelu_tanh"] = new(g => [R(g, 6)], x => Ops.Gelu(x[0], true)),
        ["gelu_erf"] = new(g => [R(g, 6)], x => Ops.Gelu(x[0])),
        ["sum_dim"] = new(g => [R(g, 2, 3, 4)], x => Ops.Sum(x[0], 1)),
        ["sum_all"] = new(g => [R(g, 2, 3)], x => Ops.Sum(x[0])),
        ["mean"] = new(g => [R(g, 2, 3, 4)], x => Ops.Mean(x[0], -1, true)),
        ["max"] = new(g => [R(g, 3, 5)], x => Ops.Max(x[0], 1).Values),
        ["matmul"] = new(g => [R(g, 2, 1, 3, 4), R(g, 3, 4, 2)], x => Ops.Matmul(x[0], x[1])),
        ["matmul_nt"] = new(g => [R(g, 3, 4), R(g, 5, 4)], x => Ops.Matmul(x[0], x[1].Transpose(0, 1))),
        ["low_rank_linear"] = new(g => [R(g, 2, 3, 4), R(g, 5, 4), R(g, 2, 4), R(g, 5, 2), R(g, 5)], x => Ops.LowRankLinear(x[0], x[1], x[4], x[2], x[3], 0.7f)),
        ["low_rank_linear_conv1d"] = new(g => [R(g, 3, 4), R(g, 4, 5), R(g, 2, 4), R(g, 5, 2)], x => Ops.LowRankLinear(x[0], x[1], null, x[2], x[3], 1.5f, weightInOut: true)),
        ["softmax"] = new(g => [R(g, 3, 5)], x => Ops.Softmax(x[0], 0)),
        ["log_softmax"] = new(g => [R(g, 3, 5)], x => Ops.LogSoftmax(x[0], -1)),
        ["cross_entropy"] = new(g => [R(g, 4, 6), I([1, -100, 5, 0], 4)], x => Ops.CrossEntropy(x[0], x[1], -100, 0.1f)),
        ["embedding"] = new(g => [R(g, 5, 3), I([4, 1, 4], 3)], x => Ops.Embedding(x[0], x[1])),
        ["layer_norm"] = new(g => [R(g, 3, 6), R(g, 6), R(g, 6)], x => Ops.LayerNorm(x[0], x[1], x[2])),
        ["rms_norm"] = new(g => [R(g, 3, 6), R(g, 6)], x => Ops.RmsNorm(x[0], x[1])),
        ["rope_halves"] = new(g => [R(g, 1, 2, 3, 4), I([0, 5, 9], 3)], x => Ops.Rope(x[0], x[1], 100f, RopeLayout.Halves)),
        ["rope_pairs"] = new(g => [R(g, 1, 2, 3, 4), I([0, 5, 9], 3)], x => Ops.Rope(x[0], x[1], 100f, RopeLayout.Pairs)),
        ["dropout"] = new(g => [R(g, 4, 5)], x => Ops.Dropout(x[0], 0.3f, 42)),
        ["concat"] = new(g => [R(g, 2, 3), R(g, 2, 2)], x => Ops.Concat([x[0], x[1]], -1)),
        ["stack"] = new(g => [R(g, 2, 3), R(g, 2, 3)], x => Ops.Stack([x[0], x[1]], 1)),
        ["split"] = new(g => [R(g, 4, 3)], x => Ops.Split(x[0], [1, 3], 0)[1]),
        ["masked_fill"] = new(g => [R(g, 3, 4), I([0, 1, 1, 0], 4)], x => Ops.MaskedFill(x[0], x[1], 0.5f)),
        ["where"] = new(g => [I([1, 0, 1], 3, 1), R(g, 3, 4), R(g, 4)], x => Ops.Where(x[0], x[1], x[2])),
        ["views"] = new(g => [R(g, 2, 3, 4)], x => x[0].Permute(1, 2, 0).Narrow(0, 1, 2).Expand(2, 2, 4, 2).Reshape(8, 4)),
        ["sdpa_gqa_causal"] = new(g => [R(g, 1, 4, 5, 4), R(g, 1, 2, 5, 4), R(g, 1, 2, 5, 4)], x => Ops.ScaledDotProductAttention(x[0], x[1], x[2])),
        ["sdpa_alibi_dropout"] = new(g => [R(g, 1, 2, 6, 4), R(g, 1, 1, 6, 4), R(g, 1, 1, 6, 4)],
            x => Ops.ScaledDotProductAttention(x[0], x[1], x[2], alibiSlopes: Ops.AlibiSlopes(2), dropoutP: 0.25f, seed: 9)),
    };

    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void AnalyticGradientMatchesFiniteDifferences(string name)
    {
        var c = Cases[name];
        var inputs = c.Inputs(new Generator(1234));
        foreach (var t in inputs) if (t.DType == DType.F32) t.RequiresGrad = true;
        var r = GradCheck.Run(c.F, inputs, c.Eps, c.Atol, c.Rtol);
        Assert.True(r.Passed, $"{name}: {r.Detail} (max abs err {r.MaxAbsError:G3})");
        foreach (var t in inputs) t.Dispose();
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // A deliberately wrong backward (gradient doubled) must fail the check.
        static Tensor Wrong(Tensor[] x)
        {
            // value x, but the tape sees d/dx = 2
            return Ops.Add(x[0].Detach(), Ops.MulScalar(x[0], 2f)) - Ops.MulScalar(x[0], 2f).Detach();
        }
        var inputs = new[] { Tensor.Randn([4], new Generator(3)) };
        inputs[0].RequiresGrad = true;
        var r = GradCheck.Run(Wrong, inputs);
        Assert.False(r.Passed);
    }
}
