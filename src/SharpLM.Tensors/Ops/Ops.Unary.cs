// Elementwise math and activations: neg, exp, log, sqrt, rsqrt, pow, tanh, sigmoid, relu, silu, gelu.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public static partial class Ops
{
    private static Tensor Unary(UnaryOp op, Tensor x, string name, float p = 0)
    {
        var xd = x.DenseF32(name);
        var y = Tensor.Alloc(x.Shape, DType.F32);
        Backend.Current.Unary(op, xd, y, p);
        return GradRecorder.Record(y, name, x, g =>
        {
            var gd = g.DenseF32(name + " backward");
            var dx = Tensor.Alloc(xd.Shape, DType.F32);
            Backend.Current.UnaryBackward(op, xd, y, gd, dx, p);
            return [dx];
        });
    }

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Unary(UnaryOp.Neg, x, "neg");
    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x, "exp");
    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x, "log");
    /// <summary>√x.</summary>
    public static Tensor Sqrt(Tensor x) => Unary(UnaryOp.Sqrt, x, "sqrt");
    /// <summary>1/√x.</summary>
    public static Tensor Rsqrt(Tensor x) => Unary(UnaryOp.Rsqrt, x, "rsqrt");
    /// <summary>xᵖ for a scalar exponent.</summary>
    public static Tensor Pow(Tensor x, float exponent) => Unary(UnaryOp.Pow, x, "pow", exponent);
    /// <summary>tanh(x).</summary>
    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x, "tanh");
    /// <summary>1/(1+e⁻ˣ).</summary>
    public static Tensor Sigmoid(Tensor x) => Unary(UnaryOp.Sigmoid, x, "sigmoid");
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x, "relu");
    /// <summary>x·sigmoid(x) (SiLU / swish).</summary>
    public static Tensor Silu(Tensor x) => Unary(UnaryOp.Silu, x, "silu");
    /// <summary>GELU, exact (erf) form or the tanh approximation used by GPT-2.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) =>
        Unary(tanhApproximation ? UnaryOp.GeluTanh : UnaryOp.GeluErf, x, tanhApproximation ? "gelu_tanh" : "gelu_erf");
}
