// Bad input: shape, dtype and index errors throw exceptions that name the op and the offending values.
using SharpLM.Tensors;
using Xunit;

namespace SharpLM.Tensors.Tests;

public class BadInputTests
{
    private static void Throws<TEx>(Action a, params string[] fragments) where TEx : Exception
    {
        var e = Assert.ThrowsAny<TEx>(a);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void ErrorsNameTheOpAndTheShapes()
    {
        using var s = TensorScope.Begin();
        var a = Tensor.Zeros([2, 3]); var b = Tensor.Zeros([4]);
        Throws<ArgumentException>(() => Ops.Add(a, b), "Add", "[2, 3]", "[4]");
        Throws<ArgumentException>(() => Ops.Matmul(a, Tensor.Zeros([4, 5])), "Matmul", "K=3", "K=4");
        Throws<ArgumentException>(() => a.Reshape(5), "Reshape", "[5]", "6");
        Throws<ArgumentOutOfRangeException>(() => Ops.Sum(a, 2), "Sum", "dim 2");
        Throws<ArgumentOutOfRangeException>(() => a.Narrow(1, 2, 2), "Narrow", "size 3");
        Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(Tensor.Zeros([5, 2]), Tensor.FromArray([1, 7], 2)), "Embedding", "index 7", "[0, 5)");
        Throws<ArgumentOutOfRangeException>(() => Ops.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.FromArray([0, 3], 2)), "CrossEntropy", "target 3");
        Throws<InvalidOperationException>(() => Ops.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.Zeros([2])), "CrossEntropy", "i32");
        Throws<ArgumentException>(() => Ops.ScaledDotProductAttention(Tensor.Zeros([1, 3, 4, 8]), Tensor.Zeros([1, 2, 4, 8]), Tensor.Zeros([1, 2, 4, 8])), "multiple");
        Throws<ArgumentException>(() => Ops.LayerNorm(a, Tensor.Zeros([4]), null), "LayerNorm", "weight", "[3]");
        Throws<ArgumentException>(() => Ops.Rope(Tensor.Zeros([1, 3, 4]), Tensor.FromArray([0, 1], 2)), "Rope", "[3]");
        Throws<ArgumentException>(() => Tensor.Zeros([2, -1]), "negative");
        Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(a, 1.5f, 0), "Dropout");
        Throws<InvalidOperationException>(() => Tensor.Zeros([2], DType.I32).RequiresGrad = true, "f32");
    }
}
