// C# operators on tensors, mapped to the differentiable Ops.
namespace SharpLM.Tensors;

public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
    public static Tensor operator -(Tensor a) => Ops.Neg(a);
    public static Tensor operator +(Tensor a, float c) => Ops.AddScalar(a, c);
    public static Tensor operator *(Tensor a, float c) => Ops.MulScalar(a, c);
    public static Tensor operator *(float c, Tensor a) => Ops.MulScalar(a, c);
}
