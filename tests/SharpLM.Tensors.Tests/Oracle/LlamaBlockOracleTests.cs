// A full pre-norm LLaMA decoder block (RMSNorm, GQA attention with RoPE, SwiGLU) written with SharpLM ops
// and checked against PyTorch: output, named intermediates, and the gradient of every input and weight.
// Also: a steady-state training step of that block takes no new native memory from the OS.
using SharpLM.Tensors;
using SharpLM.Tensors.Storage;
using SharpLM.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace SharpLM.Tensors.Tests.Oracle;

[Collection(MemoryPoolCollection.Name)]
public class LlamaBlockOracleTests(ITestOutputHelper output)
{
    private static readonly string[] ParamNames =
    [
        "attn_norm.weight", "q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight",
        "ffn_norm.weight", "gate_proj.weight", "up_proj.weight", "down_proj.weight",
    ];

    /// <summary>The block: dim 32, 4 query heads, 2 KV heads, head dim 8, FFN 64, eps 1e-5, RoPE θ=10⁴ (halves).</summary>
    internal static Tensor Forward(Tensor x, IReadOnlyDictionary<string, Tensor> w, Tensor positions, Dictionary<string, Tensor>? taps = null)
    {
        int b = x.Shape[0], t = x.Shape[1], dim = x.Shape[2];
        const int heads = 4, kvHeads = 2, hd = 8;
        var xn = Ops.RmsNorm(x, w["attn_norm.weight"], 1e-5f);                                  // (B, T, C)
        var q = Ops.Linear(xn, w["q_proj.weight"]).Reshape(b, t, heads, hd).Transpose(1, 2);   // (B, H, T, hd)
        var k = Ops.Linear(xn, w["k_proj.weight"]).Reshape(b, t, kvHeads, hd).Transpose(1, 2); // (B, Hkv, T, hd)
        var v = Ops.Linear(xn, w["v_proj.weight"]).Reshape(b, t, kvHeads, hd).Transpose(1, 2); // (B, Hkv, T, hd)
        q = Ops.Rope(q, positions, 10000f, RopeLayout.Halves);
        k = Ops.Rope(k, positions, 10000f, RopeLayout.Halves);
        var a = Ops.ScaledDotProductAttention(q, k, v, causal: true);                         // (B, H, T, hd)
        var attnOut = Ops.Linear(a.Transpose(1, 2).Reshape(b, t, dim), w["o_proj.weight"]);   // (B, T, C)
        var h = x + attnOut;
        var hn = Ops.RmsNorm(h, w["ffn_norm.weight"], 1e-5f);
        var mlp = Ops.Linear(Ops.Silu(Ops.Linear(hn, w["gate_proj.weight"])) * Ops.Linear(hn, w["up_proj.weight"]), w["down_proj.weight"]);
        if (taps is not null) { taps["attn_norm_out"] = xn; taps["q_rope"] = q; taps["attn_out"] = attnOut; taps["h"] = h; }
        return h + mlp;
    }

    [Fact]
    public void ForwardAndGradientsMatchPyTorch()
    {
        var fx = new OracleFixture("llama_block.safetensors");
        using var scope = TensorScope.Begin();
        var x = fx.Load("x"); x.RequiresGrad = true;
        var w = ParamNames.ToDictionary(n => n, n => { var p = fx.Load(n); p.RequiresGrad = true; return p; });
        using var pos = Tensor.Arange(0, x.Shape[1], 1, DType.I32);
        var taps = new Dictionary<string, Tensor>();
        var y = Forward(x, w, pos, taps);
        foreach (var (name, t) in taps) Close.Assert(name, t.ToArray(), fx.Values(name), t.Shape.ToArray(), fx.Shape(name), 1e-5);
        Close.Assert("out", y.ToArray(), fx.Values("out"), y.Shape.ToArray(), fx.Shape("out"), 1e-5);
        Ops.Sum(y * fx.Load("gout")).Backward();
        Close.Assert("grad.x", x.Grad!.ToArray(), fx.Values("grad.x"), x.Shape.ToArray(), fx.Shape("grad.x"), 1e-4);
        foreach (var n in ParamNames)
            Close.Assert("grad." + n, w[n].Grad!.ToArray(), fx.Values("grad." + n), w[n].Shape.ToArray(), fx.Shape("grad." + n), 1e-4);
    }

    [Fact]
    public void SteadyStateTrainingStepTakesNoNewNativeMemory()
    {
        var fx = new OracleFixture("llama_block.safetensors");
        var w = ParamNames.ToDictionary(n => n, n => { var p = fx.Load(n); p.RequiresGrad = true; return p; });
        var x = fx.Load("x");
        var gout = fx.Load("gout");
        var pos = Tensor.Arange(0, x.Shape[1], 1, DType.I32);
        void Step()
        {
            using var scope = TensorScope.Begin();
            foreach (var p in w.Values) p.ZeroGrad();
            Ops.Sum(Forward(x, w, pos) * gout).Backward();
            using var _ = Autograd.GradMode.NoGrad();
            foreach (var p in w.Values)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad!.AsSpan(), -1e-3f, p.AsSpan(), p.AsSpan()); // SGD
        }
        for (int i = 0; i < 3; i++) Step();
        long osBefore = MemoryPool.BytesFromOs, inUseBefore = MemoryPool.BytesInUse;
        long managedBefore = GC.GetAllocatedBytesForCurrentThread();
        const int steps = 5;
        for (int i = 0; i < steps; i++) Step();
        long managedPerStep = (GC.GetAllocatedBytesForCurrentThread() - managedBefore) / steps;
        output.WriteLine($"steady-state step of the LLaMA block: native bytes from OS +{MemoryPool.BytesFromOs - osBefore}, managed bytes/step {managedPerStep}");
        Assert.Equal(osBefore, MemoryPool.BytesFromOs);
        Assert.Equal(inUseBefore, MemoryPool.BytesInUse);
    }
}
