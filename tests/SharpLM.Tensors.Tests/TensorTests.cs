// Tensor basics: views share storage and index correctly, dtype conversions (BF16 round-to-nearest-even
// against hand-computed bit patterns, F16 against IEEE values), creation, seeded randomness, pooled
// storage and scopes, and the autograd tape's bookkeeping (accumulation, NoGrad, detach).
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;
using SharpLM.Tensors.Storage;
using Xunit;

namespace SharpLM.Tensors.Tests;

[Collection(MemoryPoolCollection.Name)]
public unsafe class TensorTests
{
    [Fact]
    public void ViewsShareStorageAndIndexCorrectly()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.Arange(0, 24).Reshape(2, 3, 4);
        var t = x.Transpose(0, 2);                       // [4, 3, 2]
        Assert.Equal(new[] { 4, 3, 2 }, t.Shape.ToArray());
        Assert.False(t.IsContiguous);
        // t[i, j, k] = x[k, j, i] = k*12 + j*4 + i
        var tv = t.Contiguous().ToArray();
        Assert.Equal(1 * 12 + 2 * 4 + 3, tv[(3 * 3 + 2) * 2 + 1]);
        var n = x.Narrow(2, 1, 2);                       // [2, 3, 2]
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22 }, n.ToArray());
        var e = Tensor.Arange(0, 3).Reshape(3, 1).Expand(3, 2);
        Assert.Equal(new float[] { 0, 0, 1, 1, 2, 2 }, e.ToArray());
        Assert.Equal(0, e.Strides[1]);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, x.Reshape(-1).Narrow(0, 0, 4).ToArray());
        Assert.Throws<InvalidOperationException>(() => t.View(24));
        Assert.Equal(24, t.Reshape(24).Numel);
    }

    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(-2.0f, 0xC000)]
    [InlineData(1.00390625f, 0x3F80)]       // exactly halfway (…8000), even → round down
    [InlineData(1.01171875f, 0x3F82)]       // halfway with odd lower bit → round up to even
    [InlineData(1.0039064f, 0x3F81)]        // just above halfway → up
    [InlineData(float.MaxValue, 0x7F80)]       // rounds up to +inf
    [InlineData(float.PositiveInfinity, 0x7F80)]
    public void Bf16RoundsToNearestEven(float value, int bits)
    {
        using var t = Tensor.FromArray([value], 1);
        using var b = t.To(DType.BF16);
        Assert.Equal((ushort)bits, *(ushort*)b.RawPointer);
    }

    [Fact]
    public void DTypeRoundTrips()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.FromArray([0.1f, -3.5f, 65504f, 1e-8f], 4);
        var h = x.To(DType.F16).ToArray();
        Assert.Equal(new[] { (float)(Half)0.1f, -3.5f, 65504f, (float)(Half)1e-8f }, h);
        var bf = x.To(DType.BF16).ToArray();
        Assert.Equal(0.10009765625f, bf[0]);
        Assert.Equal(new[] { 0, -3, 65504, 0 }, x.To(DType.I32).ToInt32Array());
        Assert.Equal(new float[] { 3, 7 }, Tensor.FromArray([3, 7], 2).To(DType.F32).ToArray());
    }

    [Fact]
    public void CreationAndSeededRandomness()
    {
        using var s = TensorScope.Begin();
        Assert.Equal(new float[] { 0, 0, 0 }, Tensor.Zeros([3]).ToArray());
        Assert.Equal(new float[] { 2.5f, 2.5f }, Tensor.Full([2], 2.5f).ToArray());
        Assert.Equal(new float[] { 1, 1.5f, 2, 2.5f }, Tensor.Arange(1, 3, 0.5f).ToArray());
        var a = Tensor.Randn([1000], new Generator(5)).ToArray();
        var b = Tensor.Randn([1000], new Generator(5)).ToArray();
        Assert.Equal(a, b);
        Assert.InRange(a.Average(), -0.1, 0.1);
        Assert.InRange(Math.Sqrt(a.Select(v => (double)v * v).Average()), 0.9, 1.1);
        var u = Tensor.Rand([1000], new Generator(6), 2, 3).ToArray();
        Assert.True(u.All(v => v >= 2 && v < 3));
    }

    [Fact]
    public void StorageIsAlignedPooledAndReleasedByScopes()
    {
        using (var warm = TensorScope.Begin()) Tensor.Zeros([1000]);
        long fromOs = MemoryPool.BytesFromOs;
        using (var s = TensorScope.Begin())
        {
            var t = Tensor.Zeros([1000]);
            Assert.Equal(0, (long)t.RawPointer % MemoryPool.Alignment);
            Assert.Equal(1, s.Count);
        }
        Assert.Equal(fromOs, MemoryPool.BytesFromOs); // served from the pool
        Tensor kept;
        using (var s = TensorScope.Begin()) kept = s.Keep(Tensor.Ones([3]));
        Assert.False(kept.IsDisposed);
        Assert.Equal(new float[] { 1, 1, 1 }, kept.ToArray());
        var view = kept.Reshape(3, 1);
        kept.Dispose();
        Assert.Equal(new float[] { 1, 1, 1 }, view.ToArray()); // the view keeps the storage alive
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.ToArray());
    }

    [Fact]
    public void GradientsAccumulateAndNoGradStopsRecording()
    {
        using var s = TensorScope.Begin();
        var x = Tensor.FromArray([1f, 2f, 3f], 3); x.RequiresGrad = true;
        Ops.Sum(x * x).Backward();
        Ops.Sum(x * x).Backward();
        Assert.Equal(new float[] { 4, 8, 12 }, x.Grad!.ToArray()); // 2 · 2x
        x.ZeroGrad();
        Assert.Equal(new float[] { 0, 0, 0 }, x.Grad!.ToArray());
        using (GradMode.NoGrad()) Assert.False((x * x).RequiresGrad);
        Assert.False(x.Detach().RequiresGrad);
        var y = x * 3f;
        Assert.False(y.IsLeaf);
        Assert.Throws<InvalidOperationException>(() => y.Backward()); // not a scalar
        var z = x + x;                                                 // same input twice
        Ops.Sum(z).Backward();
        Assert.Equal(new float[] { 2, 2, 2 }, x.Grad!.ToArray());
        x.Grad!.Dispose();
    }
}
