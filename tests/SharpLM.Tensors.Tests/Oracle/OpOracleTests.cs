// One row per op case: forward against PyTorch's float64 output (rtol 1e-5) and every input gradient of
// L = Σ out·gout against PyTorch's autograd (rtol 1e-4). Fixtures: tests/oracles/make_fixtures.py.
using SharpLM.Tensors;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Tensors.Tests.Oracle;

public class OpOracleTests
{
    private static readonly Lazy<OracleFixture> Fx = new(() => new OracleFixture("ops.safetensors"));

    private static Tensor[] One(Tensor t) => [t];

    /// <summary>case name → function of the loaded inputs returning the outputs (out or out0, out1, …).</summary>
    public static readonly Dictionary<string, Func<Tensor[], Tensor[]>> Cases = new()
    {
        ["add"] = x => One(x[0] + x[1]),
        ["sub"] = x => One(x[0] - x[1]),
        ["mul"] = x => One(x[0] * x[1]),
        ["div"] = x => One(x[0] / x[1]),
        ["neg"] = x => One(-x[0]),
        ["exp"] = x => One(Ops.Exp(x[0])),
        ["log"] = x => One(Ops.Log(x[0])),
        ["sqrt"] = x => One(Ops.Sqrt(x[0])),
        ["rsqrt"] = x => One(Ops.Rsqrt(x[0])),
        ["pow"] = x => One(Ops.Pow(x[0], 2.5f)),
        ["tanh"] = x => One(Ops.Tanh(x[0])),
        ["sigmoid"] = x => One(Ops.Sigmoid(x[0])),
        ["relu"] = x => One(Ops.Relu(x[0])),
        ["silu"] = x => One(Ops.Silu(x[0])),
        ["gelu_tanh"] = x => One(Ops.Gelu(x[0], tanhApproximation: true)),
        ["gelu_erf"] = x => One(Ops.Gelu(x[0])),
        ["sum_dim"] = x => One(Ops.Sum(x[0], 1)),
        ["sum_keepdim"] = x => One(Ops.Sum(x[0], -1, keepDim: true)),
        ["sum_all"] = x => One(Ops.Sum(x[0])),
        ["mean_dim"] = x => One(Ops.Mean(x[0], 0, keepDim: true)),
        ["max_dim"] = x => { var (v, i) = Ops.Max(x[0], 2); return [v, i]; },
        ["argmax_dim"] = x => One(Ops.Argmax(x[0], 1)),
        ["matmul"] = x => One(Ops.Matmul(x[0], x[1])),
        ["matmul_bcast"] = x => One(Ops.Matmul(x[0], x[1])),
        ["matmul_t"] = x => One(Ops.Matmul(x[0], x[1].Transpose(-1, -2))),
        ["softmax"] = x => One(Ops.Softmax(x[0], -1)),
        ["log_softmax"] = x => One(Ops.LogSoftmax(x[0], 1)),
        ["cross_entropy"] = x => One(Ops.CrossEntropy(x[0], x[1], ignoreIndex: -100)),
        ["cross_entropy_ls"] = x => One(Ops.CrossEntropy(x[0], x[1], ignoreIndex: -100, labelSmoothing: 0.1f)),
        ["embedding"] = x => One(Ops.Embedding(x[0], x[1])),
        ["layer_norm"] = x => One(Ops.LayerNorm(x[0], x[1], x[2], 1e-5f)),
        ["rms_norm"] = x => One(Ops.RmsNorm(x[0], x[1], 1e-6f)),
        ["rope_halves"] = x => One(Ops.Rope(x[0], x[1], 10000f, RopeLayout.Halves)),
        ["rope_pairs"] = x => One(Ops.Rope(x[0], x[1], 10000f, RopeLayout.Pairs)),
        ["concat"] = x => One(Ops.Concat([x[0], x[1]], 1)),
        ["stack"] = x => One(Ops.Stack([x[0], x[1]], 0)),
        ["split"] = x => Ops.Split(x[0], [2, 4], 1),
        ["masked_fill"] = x => One(Ops.MaskedFill(x[0], x[1], -2f)),
        ["where"] = x => One(Ops.Where(x[0], x[1], x[2])),
        ["view_chain"] = x => One(x[0].Permute(2, 0, 1).Narrow(1, 1, 1).Expand(4, 5, 3).Contiguous().Reshape(4, 15)),
        ["transpose_reshape"] = x => One(x[0].Transpose(0, 2).Reshape(-1, 6)),
        ["sdpa"] = x => One(Ops.ScaledDotProductAttention(x[0], x[1], x[2], causal: true)),
        ["sdpa_alibi"] = x => One(Ops.ScaledDotProductAttention(x[0], x[1], x[2], causal: true, alibiSlopes: x[3])),
        ["sdpa_mqa"] = x => One(Ops.ScaledDotProductAttention(x[0], x[1], x[2], causal: true, scale: 0.25f)),
        ["sdpa_noncausal"] = x => One(Ops.ScaledDotProductAttention(x[0], x[1], x[2], causal: false)),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [Fact]
    public void EveryFixtureCaseHasATestRow()
    {
        var inFile = Fx.Value.Names.Select(n => n[..n.IndexOf('.')]).Distinct().ToHashSet();
        Assert.Empty(inFile.Except(Cases.Keys));
        Assert.Empty(Cases.Keys.Except(inFile));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var fx = Fx.Value;
        using var scope = TensorScope.Begin();
        var inputs = new List<Tensor>();
        for (int i = 0; fx.Has($"{name}.x{i}"); i++)
        {
            var t = fx.Load($"{name}.x{i}");
            if (t.DType == DType.F32 && fx.Has($"{name}.gx{i}")) t.RequiresGrad = true;
            inputs.Add(t);
        }
        var outs = Cases[name](inputs.ToArray());
        Tensor? loss = null;
        for (int i = 0; i < outs.Length; i++)
        {
            string key = outs.Length == 1 ? $"{name}.out" : $"{name}.out{i}";
            var o = outs[i];
            if (fx.IsInteger(key))
                Assert.Equal(fx.Values(key).Select(v => (int)v).ToArray(), o.ToInt32Array());
            else
                Close.Assert(key, o.ToArray(), fx.Values(key), o.Shape.ToArray(), fx.Shape(key), 1e-5);
            string gkey = outs.Length == 1 ? $"{name}.gout" : $"{name}.gout{i}";
            if (fx.Has(gkey))
            {
                var term = Ops.Sum(Ops.Mul(o, fx.Load(gkey)));
                loss = loss is null ? term : loss + term;
            }
        }
        if (loss is null) return; // integer-valued op (argmax): nothing to differentiate
        loss.Backward();
        int checkedGrads = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!fx.Has($"{name}.gx{i}")) continue;
            var g = inputs[i].Grad;
            Assert.NotNull(g);
            Close.Assert($"{name}.gx{i}", g!.ToArray(), fx.Values($"{name}.gx{i}"), g.Shape.ToArray(), fx.Shape($"{name}.gx{i}"), 1e-4);
            checkedGrads++;
            g.Dispose();
        }
        Assert.True(checkedGrads > 0, $"{name}: no gradient compared");
    }
}
