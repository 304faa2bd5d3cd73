// AttentionRowOps: the element-wise row passes of the FlashAttention-2 style tiled online softmax
// (ALiBi ramp, exp(x − m) with its sum, dS = scale·P∘(dP∘Z − D)), fused into single vector passes over a
// tile row (Vector512 on AVX-512, else Vector256, scalar tail) so they stay small next to the tile GEMMs.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpLM.Tensors.Cpu;

internal static unsafe class AttentionRowOps
{
    /// <summary>x[j] += c0 + slope·j for j &lt; n.</summary>
    public static void AddRamp(float* x, int n, float c0, float slope)
    {
        int j = 0;
        if (CpuIsa.HasAvx512)
        {
            var step = Vector512.Create(slope * 16f);
            var bias = Vector512.Create(c0) + Vector512.Create(slope) * Vector512<float>.Indices;
            for (; j + 16 <= n; j += 16, bias += step) (Vector512.Load(x + j) + bias).Store(x + j);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var step = Vector256.Create(slope * 8f);
            var bias = Vector256.Create(c0) + Vector256.Create(slope) * Vector256<float>.Indices;
            for (; j + 8 <= n; j += 8, bias += step) (Vector256.Load(x + j) + bias).Store(x + j);
        }
        for (; j < n; j++) x[j] += c0 + slope * j;
    }

    /// <summary>Maximum of x[0..n), n &gt; 0.</summary>
    public static float Max(float* x, int n)
    {
        int j = 0;
        float m = float.NegativeInfinity;
        if (CpuIsa.HasAvx512 && n >= 16)
        {
            var vm = Vector512.Load(x);
            for (j = 16; j + 16 <= n; j += 16) vm = Vector512.Max(vm, Vector512.Load(x + j));
            m = MaxOf(Vector256.Max(vm.GetLower(), vm.GetUpper()));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vm = Vector256.Load(x);
            for (j = 8; j + 8 <= n; j += 8) vm = Vector256.Max(vm, Vector256.Load(x + j));
            m = MaxOf(vm);
        }
        for (; j < n; j++) m = MathF.Max(m, x[j]);
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MaxOf(Vector256<float> v)
    {
        var h = Vector128.Max(v.GetLower(), v.GetUpper());
        float m = MathF.Max(h.GetElement(0), h.GetElement(1));
        return MathF.Max(m, MathF.Max(h.GetElement(2), h.GetElement(3)));
    }

    /// <summary>x[j] = exp(x[j] − m) for j &lt; n; returns the sum of the new values.</summary>
    public static float ExpSub(float* x, int n, float m)
    {
        int j = 0;
        float sum = 0;
        if (CpuIsa.HasAvx512)
        {
            var vm = Vector512.Create(m);
            var acc = Vector512<float>.Zero;
            for (; j + 16 <= n; j += 16)
            {
                var e = Vector512.Exp(Vector512.Load(x + j) - vm);
                e.Store(x + j);
                acc += e;
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(m);
            var acc = Vector256<float>.Zero;
            for (; j + 8 <= n; j += 8)
            {
                var e = Vector256.Exp(Vector256.Load(x + j) - vm);
                e.Store(x + j);
                acc += e;
            }
            sum = Vector256.Sum(acc);
        }
        for (; j < n; j++)
        {
            float e = MathF.Exp(x[j] - m);
            x[j] = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>x[j] *= a for j &lt; n.</summary>
    public static void Scale(float* x, int n, float a)
    {
        int j = 0;
        if (CpuIsa.HasAvx512)
        {
            var va = Vector512.Create(a);
            for (; j + 16 <= n; j += 16) (Vector512.Load(x + j) * va).Store(x + j);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; j + 8 <= n; j += 8) (Vector256.Load(x + j) * va).Store(x + j);
        }
        for (; j < n; j++) x[j] *= a;
    }

    /// <summary>dp[j] = scale · p[j] · (dp[j]·z[j] − di) (z null: no dropout) for j &lt; n.</summary>
    public static void SoftmaxGrad(float* dp, float* p, float* z, int n, float di, float scale)
    {
        int j = 0;
        if (CpuIsa.HasAvx512)
        {
            var vd = Vector512.Create(di);
            var vs = Vector512.Create(scale);
            if (z == null)
                for (; j + 16 <= n; j += 16)
                    (vs * Vector512.Load(p + j) * (Vector512.Load(dp + j) - vd)).Store(dp + j);
            else
                for (; j + 16 <= n; j += 16)
                    (vs * Vector512.Load(p + j) * (Vector512.Load(dp + j) * Vector512.Load(z + j) - vd)).Store(dp + j);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vd = Vector256.Create(di);
            var vs = Vector256.Create(scale);
            if (z == null)
                for (; j + 8 <= n; j += 8)
                    (vs * Vector256.Load(p + j) * (Vector256.Load(dp + j) - vd)).Store(dp + j);
            else
                for (; j + 8 <= n; j += 8)
                    (vs * Vector256.Load(p + j) * (Vector256.Load(dp + j) * Vector256.Load(z + j) - vd)).Store(dp + j);
        }
        if (z == null) for (; j < n; j++) dp[j] = scale * p[j] * (dp[j] - di);
        else for (; j < n; j++) dp[j] = scale * p[j] * (dp[j] * z[j] - di);
    }
}
