// Tensor creation: empty/zeros/ones/full/arange, from managed arrays, and seeded random tensors.
using System.Runtime.InteropServices;
using SharpLM.Tensors.Backends;
using SharpLM.Tensors.Rng;

namespace SharpLM.Tensors;

public sealed unsafe partial class Tensor
{
    private static int[] CheckShape(ReadOnlySpan<int> shape, string op)
    {
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {ShapeUtil.Format(shape)} (expected sizes >= 0).");
        return shape.ToArray();
    }

    internal static Tensor Alloc(ReadOnlySpan<int> shape, DType dtype, bool scoped = true)
    {
        var s = CheckShape(shape, "Tensor.Empty");
        var storage = Backend.Current.Allocate(ShapeUtil.Numel(s) * dtype.SizeOf());
        return new Tensor(storage, s, ShapeUtil.ContiguousStrides(s), 0, dtype, scoped);
    }

    /// <summary>Uninitialised tensor.</summary>
    public static Tensor Empty(ReadOnlySpan<int> shape, DType dtype = DType.F32) => Alloc(shape, dtype);

    /// <summary>Zero-filled tensor.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype = DType.F32)
    {
        var t = Alloc(shape, dtype);
        Backend.Current.Fill(t, 0f);
        return t;
    }

    internal static Tensor ZerosUnscoped(ReadOnlySpan<int> shape)
    {
        var t = Alloc(shape, DType.F32, scoped: false);
        Backend.Current.Fill(t, 0f);
        return t;
    }

    /// <summary>Tensor filled with ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype = DType.F32) => Full(shape, 1f, dtype);

    /// <summary>Tensor filled with <paramref name="value"/> (converted to <paramref name="dtype"/>).</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, float value, DType dtype = DType.F32)
    {
        var f = Alloc(shape, DType.F32);
        Backend.Current.Fill(f, value);
        if (dtype == DType.F32) return f;
        using (f) return f.To(dtype);
    }

    /// <summary>0-dim f32 tensor.</summary>
    public static Tensor Scalar(float value) => Full([], value);

    /// <summary>[start, start+step, …) up to (excluding) <paramref name="end"/>.</summary>
    public static Tensor Arange(float start, float end, float step = 1, DType dtype = DType.F32)
    {
        if (step == 0 || (end - start) / step < 0) throw new ArgumentException($"Arange: range [{start}, {end}) with step {step} is empty or infinite (expected step != 0 pointing from start towards end).");
        int n = (int)Math.Ceiling((end - start) / step);
        var p = new float[n];
        for (int i = 0; i < n; i++) p[i] = start + i * step;
        var f = Alloc([n], DType.F32);
        Backend.Current.CopyFromHost(MemoryMarshal.AsBytes(p.AsSpan()), f);
        if (dtype == DType.F32) return f;
        using (f) return f.To(dtype);
    }

    /// <summary>f32 tensor with a copy of <paramref name="data"/>, laid out in <paramref name="shape"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        if (shape.Length == 0 && data.Length != 1) shape = [data.Length];
        if (ShapeUtil.Numel(shape) != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({ShapeUtil.Numel(shape)} elements expected).");
        var t = Alloc(shape, DType.F32);
        Backend.Current.CopyFromHost(MemoryMarshal.AsBytes(data), t);
        return t;
    }

    /// <summary>i32 tensor with a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<int> data, params int[] shape)
    {
        if (shape.Length == 0 && data.Length != 1) shape = [data.Length];
        if (ShapeUtil.Numel(shape) != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({ShapeUtil.Numel(shape)} elements expected).");
        var t = Alloc(shape, DType.I32);
        Backend.Current.CopyFromHost(MemoryMarshal.AsBytes(data), t);
        return t;
    }

    /// <summary>Standard-normal samples (times <paramref name="std"/>) from a seeded generator.</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator? gen = null, float std = 1f)
    {
        gen ??= Generator.Default;
        var p = new float[ShapeUtil.Numel(CheckShape(shape, "Tensor.Randn"))];
        for (long i = 0; i < p.Length; i++) p[i] = (float)gen.NextGaussian() * std;
        return FromArray(p, shape.ToArray());
    }

    /// <summary>Uniform samples in [low, high) from a seeded generator.</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator? gen = null, float low = 0f, float high = 1f)
    {
        gen ??= Generator.Default;
        var p = new float[ShapeUtil.Numel(CheckShape(shape, "Tensor.Rand"))];
        for (long i = 0; i < p.Length; i++) p[i] = low + (high - low) * gen.NextFloat();
        return FromArray(p, shape.ToArray());
    }

    /// <summary>Tensor of the same shape and dtype.</summary>
    public Tensor EmptyLike() => Alloc(Shape, DType);
    /// <summary>Zeros of the same shape and dtype.</summary>
    public Tensor ZerosLike() => Zeros(Shape, DType);
}
