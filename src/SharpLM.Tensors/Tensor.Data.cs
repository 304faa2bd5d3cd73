// Tensor data access: dense copies (Contiguous), dtype conversion (To), and reading values back to managed
// arrays for tests, printing and interop.
using System.Runtime.InteropServices;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>This tensor if it is already dense, otherwise a dense copy (gradient passes straight through).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var o = Alloc(Shape, DType);
        Backend.Current.Copy(this, o);
        return GradRecorder.Record(o, "contiguous", this, g => [g]);
    }

    /// <summary>A new dense tensor converted to <paramref name="dtype"/> (a copy even when the dtype is the same).</summary>
    public Tensor To(DType dtype)
    {
        var src = IsContiguous ? this : DenseCopy();
        try
        {
            var o = Alloc(Shape, dtype);
            Backend.Current.Convert(src, o);
            if (dtype == DType.F32 && DType == DType.F32) return GradRecorder.Record(o, "clone", this, g => [g]);
            return o;
        }
        finally { if (!ReferenceEquals(src, this)) src.Dispose(); }
    }

    private Tensor DenseCopy()
    {
        var o = Alloc(Shape, DType);
        Backend.Current.Copy(this, o);
        return o;
    }

    /// <summary>A dense f32 copy that is not recorded (for kernels that need contiguous input).</summary>
    internal Tensor DenseF32(string op)
    {
        if (DType != DType.F32) throw DTypeError(op, DType.F32);
        return IsContiguous ? this : DenseCopy();
    }

    /// <summary>The values as f32, in row-major order (converted from the stored dtype).</summary>
    public float[] ToArray()
    {
        var arr = new float[Numel];
        CopyOut(DType.F32, MemoryMarshal.AsBytes(arr.AsSpan()));
        return arr;
    }

    /// <summary>The values as i32 (f32 values are truncated).</summary>
    public int[] ToInt32Array()
    {
        var arr = new int[Numel];
        CopyOut(DType.I32, MemoryMarshal.AsBytes(arr.AsSpan()));
        return arr;
    }

    /// <summary>Copies the values, converted to <paramref name="dtype"/>, into host bytes (through the backend).</summary>
    private void CopyOut(DType dtype, Span<byte> dst)
    {
        var be = Backend.Current;
        var dense = IsContiguous ? this : DenseCopy();
        Tensor? converted = null;
        try
        {
            if (dense.DType != dtype)
            {
                converted = Alloc(Shape, dtype, scoped: false);
                be.Convert(dense, converted);
            }
            be.CopyToHost(converted ?? dense, dst);
        }
        finally
        {
            converted?.Dispose();
            if (!ReferenceEquals(dense, this)) dense.Dispose();
        }
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item: expected a tensor with one element, got shape {ShapeUtil.Format(Shape)}.");
        return ToArray()[0];
    }

    /// <summary>A dense f32 span over a contiguous f32 tensor in host memory (CPU storage only).</summary>
    public Span<float> AsSpan()
    {
        if (DType != DType.F32) throw DTypeError("AsSpan", DType.F32);
        if (Device != Device.Cpu) throw new InvalidOperationException($"AsSpan: tensor lives on {Device}, not in host memory.");
        if (!IsContiguous) throw new InvalidOperationException($"AsSpan: tensor with shape {ShapeUtil.Format(Shape)} is not contiguous; call Contiguous() first.");
        return new Span<float>(RawPointer, checked((int)Numel));
    }

    /// <summary>A new leaf sharing this tensor's storage, cut from the autograd graph.</summary>
    public Tensor Detach() => new(Storage, _shape, _strides, Offset, DType);

    /// <summary>
    /// Writes <paramref name="src"/> (same shape and dtype) into this view in place, even when the view is strided
    /// (e.g. a slice of a KV cache). Not recorded by autograd.
    /// </summary>
    public void Assign(Tensor src)
    {
        if (!ShapeUtil.SameShape(Shape, src.Shape))
            throw new ArgumentException($"Assign: source shape {ShapeUtil.Format(src.Shape)} differs from destination shape {ShapeUtil.Format(Shape)}.");
        if (src.DType != DType) throw new ArgumentException($"Assign: source dtype {src.DType.Name()} differs from destination dtype {DType.Name()}.");
        Backend.Current.Copy(src, this);
    }

    /// <summary>Copies values (same shape) from <paramref name="src"/> into this tensor in place, converting dtype.</summary>
    public void CopyFrom(Tensor src)
    {
        if (!ShapeUtil.SameShape(Shape, src.Shape))
            throw new ArgumentException($"CopyFrom: source shape {ShapeUtil.Format(src.Shape)} differs from destination shape {ShapeUtil.Format(Shape)}.");
        if (!IsContiguous) throw new InvalidOperationException("CopyFrom: destination must be contiguous.");
        var dense = src.IsContiguous ? src : src.DenseCopy();
        try { Backend.Current.Convert(dense, this); }
        finally { if (!ReferenceEquals(dense, src)) dense.Dispose(); }
    }
}
