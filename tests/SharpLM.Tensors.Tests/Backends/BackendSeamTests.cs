// Backend seam tests: a tiny embedding → RMSNorm → attention → MLP → cross-entropy step run under a
// recording backend calls the expected entry points and gives bit-identical loss and gradients to the plain
// CPU run; tensors report Device.Cpu; the Use scope restores the previous backend.
using SharpLM.Tensors.Backends;
using SharpLM.Tensors.Rng;
using Xunit;

namespace SharpLM.Tensors.Tests.Backends;

public sealed class BackendSeamTests
{
    /// <summary>Loss and every parameter gradient of one forward+backward, as raw f32 values.</summary>
    private static List<float[]> TinyStep()
    {
        using var scope = TensorScope.Begin();
        var gen = new Generator(1234);
        Tensor P(params int[] shape) { var t = Tensor.Randn(shape, gen, 0.3f); t.RequiresGrad = true; return t; }
        var emb = P(10, 8); var gamma = P(8); var wq = P(8, 8); var wk = P(8, 8); var wv = P(8, 8);
        var w1 = P(16, 8); var b1 = P(16); var w2 = P(10, 16); var beta = P(10); var lnw = P(10);
        var ids = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        var targets = Tensor.FromArray([2, 3, 4, 5, 6, 7, 8, 9], 2, 4);

        var h = Ops.RmsNorm(Ops.Embedding(emb, ids), gamma);                             // [2, 4, 8]
        Tensor Heads(Tensor w) => Ops.Linear(h, w).Reshape(2, 4, 2, 4).Transpose(1, 2);   // [2, 2, 4, 4]
        var a = Ops.ScaledDotProductAttention(Heads(wq), Heads(wk), Heads(wv));          // [2, 2, 4, 4]
        var f = Ops.Gelu(Ops.Linear(a.Transpose(1, 2).Reshape(2, 4, 8), w1, b1));        // [2, 4, 16]
        var logits = Ops.LayerNorm(Ops.Linear(f, w2), lnw, beta);                         // [2, 4, 10]
        var loss = Ops.Add(Ops.CrossEntropy(logits, targets), Ops.Mean(Ops.Softmax(logits, -1)));
        loss.Backward();
        var res = new List<float[]> { loss.ToArray() };
        foreach (var p in new[] { emb, gamma, wq, wk, wv, w1, b1, w2, beta, lnw }) res.Add(p.Grad!.ToArray());
        foreach (var p in new[] { emb, gamma, wq, wk, wv, w1, b1, w2, beta, lnw }) p.Grad!.Dispose();
        return res;
    }

    [Fact]
    public void OpsGoThroughTheBackendAndMatchPlainCpuBitForBit()
    {
        var plain = TinyStep();
        var rec = new RecordingBackend(Backend.Cpu);
        List<float[]> recorded;
        using (Backend.Use(rec))
        {
            Assert.Same(rec, Backend.Current);
            recorded = TinyStep();
        }
        Assert.Same(Backend.Cpu, Backend.Current);

        var calls = rec.Calls.ToHashSet();
        string[] expected = ["Allocate", "CopyFromHost", "CopyToHost", "Fill", "Copy", "AddInto", "Binary", "Unary", "UnaryBackward", "Sum",
            "Softmax", "SoftmaxBackward", "Norm", "NormBackward", "Attention", "AttentionBackward",
            "EmbeddingGather", "EmbeddingScatterAdd", "CrossEntropy", "CrossEntropyBackward"];
        foreach (var name in expected) Assert.Contains(name, calls);
        Assert.True(calls.Contains("Gemm") || calls.Contains("GemmBatched"), "no GEMM entry point was called");

        Assert.Equal(plain.Count, recorded.Count);
        for (int i = 0; i < plain.Count; i++)
            Assert.Equal(plain[i].Select(BitConverter.SingleToInt32Bits), recorded[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RopeDropoutSelectAndMaxGoThroughTheBackend()
    {
        var rec = new RecordingBackend(Backend.Cpu);
        using (Backend.Use(rec))
        using (TensorScope.Begin())
        {
            var x = Tensor.Randn([2, 3, 4], new Generator(7)); x.RequiresGrad = true;
            var y = Ops.Rope(x, Tensor.FromArray([0, 1, 2], 3));
            y = Ops.Dropout(y, 0.5f, seed: 3);
            y = Ops.MaskedFill(y, Tensor.FromArray([1, 0, 0, 1], 4), 0f);
            var (m, _) = Ops.Max(y, -1);
            Ops.Sum(m).Backward();
            x.Grad!.Dispose();
        }
        foreach (var name in new[] { "Rope", "Dropout", "Select", "Max", "MaxBackward" }) Assert.Contains(name, rec.Calls);
    }

    [Fact]
    public void TensorStorageReportsCpu()
    {
        using var t = Tensor.Zeros([3]);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(Device.Cpu, t.Storage.Device);
        Assert.Same(Backend.Cpu, t.Storage.Backend);
    }
}
