// UnaryKernel: elementwise activations and math functions, forward and backward, over dense buffers.
// TensorPrimitives supplies the vectorised forms where they exist; GELU runs a per-element loop.
using System.Numerics.Tensors;

using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class UnaryKernel
{
    private const float Sqrt2OverPi = 0.7978845608028654f;
    private const double InvSqrt2 = 0.7071067811865476;
    private const double InvSqrt2Pi = 0.3989422804014327;

    public static void Forward(UnaryOp op, float* x, float* y, long n, float p)
    {
        nint px = (nint)x, py = (nint)y;
        CpuParallel.Rows((n + 4095) / 4096, 4096 * 8, (r0, r1) =>
        {
            long s = r0 * 4096, e = Math.Min(n, r1 * 4096);
            ForwardRange(op, (float*)px + s, (float*)py + s, (int)(e - s), p);
        });
    }

    private static void ForwardRange(UnaryOp op, float* xp, float* yp, int n, float p)
    {
        var x = new ReadOnlySpan<float>(xp, n); var y = new Span<float>(yp, n);
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); break;
            case UnaryOp.Rsqrt: TensorPrimitives.ReciprocalSqrt(x, y); break;
            case UnaryOp.Pow: for (int i = 0; i < n; i++) y[i] = MathF.Pow(x[i], p); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case UnaryOp.Silu:
                TensorPrimitives.Sigmoid(x, y);
                TensorPrimitives.Multiply(x, y, y);
                break;
            case UnaryOp.GeluTanh:
                for (int i = 0; i < n; i++)
                {
                    float v = x[i];
                    y[i] = 0.5f * v * (1f + MathF.Tanh(Sqrt2OverPi * (v + 0.044715f * v * v * v)));
                }
                break;
            case UnaryOp.GeluErf:
                for (int i = 0; i < n; i++) y[i] = (float)(0.5 * x[i] * (1.0 + Erf.Eval(x[i] * InvSqrt2)));
                break;
        }
    }

    /// <summary>dx = g · f'(x), using the saved input x and output y.</summary>
    public static void Backward(UnaryOp op, float* x, float* y, float* g, float* dx, long n, float p)
    {
        nint px = (nint)x, py = (nint)y, pg = (nint)g, pd = (nint)dx;
        CpuParallel.Rows((n + 4095) / 4096, 4096 * 8, (r0, r1) =>
        {
            long s = r0 * 4096, e = Math.Min(n, r1 * 4096);
            BackwardRange(op, (float*)px + s, (float*)py + s, (float*)pg + s, (float*)pd + s, (int)(e - s), p);
        });
    }

    private static void BackwardRange(UnaryOp op, float* x, float* y, float* g, float* d, int n, float p)
    {
        switch (op)
        {
            case UnaryOp.Neg: for (int i = 0; i < n; i++) d[i] = -g[i]; break;
            case UnaryOp.Exp: TensorPrimitives.Multiply(new ReadOnlySpan<float>(g, n), new ReadOnlySpan<float>(y, n), new Span<float>(d, n)); break;
            case UnaryOp.Log: TensorPrimitives.Divide(new ReadOnlySpan<float>(g, n), new ReadOnlySpan<float>(x, n), new Span<float>(d, n)); break;
            case UnaryOp.Sqrt: for (int i = 0; i < n; i++) d[i] = g[i] * 0.5f / y[i]; break;
            case UnaryOp.Rsqrt: for (int i = 0; i < n; i++) d[i] = g[i] * -0.5f * y[i] * y[i] * y[i]; break;
            case UnaryOp.Pow: for (int i = 0; i < n; i++) d[i] = g[i] * p * MathF.Pow(x[i], p - 1); break;
            case UnaryOp.Tanh: for (int i = 0; i < n; i++) d[i] = g[i] * (1 - y[i] * y[i]); break;
            case UnaryOp.Sigmoid: for (int i = 0; i < n; i++) d[i] = g[i] * y[i] * (1 - y[i]); break;
            case UnaryOp.Relu: for (int i = 0; i < n; i++) d[i] = x[i] > 0 ? g[i] : 0f; break;
            case UnaryOp.Silu:
                for (int i = 0; i < n; i++)
                {
                    float s = 1f / (1f + MathF.Exp(-x[i]));
                    d[i] = g[i] * s * (1 + x[i] * (1 - s));
                }
                break;
            case UnaryOp.GeluTanh:
                for (int i = 0; i < n; i++)
                {
                    float v = x[i];
                    float inner = Sqrt2OverPi * (v + 0.044715f * v * v * v);
                    float t = MathF.Tanh(inner);
                    float dInner = Sqrt2OverPi * (1 + 3 * 0.044715f * v * v);
                    d[i] = g[i] * (0.5f * (1 + t) + 0.5f * v * (1 - t * t) * dInner);
                }
                break;
            case UnaryOp.GeluErf:
                for (int i = 0; i < n; i++)
                {
                    double v = x[i];
                    double cdf = 0.5 * (1 + Erf.Eval(v * InvSqrt2));
                    double pdf = InvSqrt2Pi * Math.Exp(-0.5 * v * v);
                    d[i] = (float)(g[i] * (cdf + v * pdf));
                }
                break;
        }
    }
}
