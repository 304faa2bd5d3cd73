// Tensor data access: dense copies (Contiguous), dtype conversion (To), and reading values back to managed
// arrays for tests, printing and interop.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Cpu;

namespace SharpLM.Tensors;

public sealed unsafe partial class Tensor
{
    /// <summary>This tensor if it is already dense, otherwise a dense copy (gradient passes straight through).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var o = Alloc(Shape, DType);
        StridedCopy.ToContiguous((byte*)RawPointer, Shape, Strides, (byte*)o.RawPointer, DType.SizeOf());
        return GradRecorder.Record(o, "contiguous", this, g => [g]);
    }

    /// <summary>A new dense tensor converted to <paramref name="dtype"/> (a copy even when the dtype is the same).</summary>
    public Tensor To(DType dtype)
    {
        var src = IsContiguous ? this : DenseCopy();
        try
        {
            var o = Alloc(Shape, dtype);
            Cpu.Convert.Run(src.RawPointer, DType, o.RawPointer, dtype, Numel);
            if (dtype == DType.F32 && DType == DType.F32) return GradRecorder.Record(o, "clone", this, g => [g]);
            return o;
        }
        finally { if (!ReferenceEquals(src, this)) src.Dispose(); }
    }

    private Tensor DenseCopy()
    {
        var o = Alloc(Shape, DType);
        StridedCopy.ToContiguous((byte*)RawPointer, Shape, Strides, (byte*)o.RawPointer, DType.SizeOf());
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
        var dense = IsContiguous ? this : DenseCopy();
        try { fixed (float* p = arr) Cpu.Convert.Run(dense.RawPointer, DType, p, DType.F32, Numel); }
        finally { if (!ReferenceEquals(dense, this)) dense.Dispose(); }
        return arr;
    }

    /// <summary>The values as i32 (f32 values are truncated).</summary>
    public int[] ToInt32Array()
    {
        var arr = new int[Numel];
        var dense = IsContiguous ? this : DenseCopy();
        try { fixed (int* p = arr) Cpu.Convert.Run(dense.RawPointer, DType, p, DType.I32, Numel); }
        finally { if (!ReferenceEquals(dense, this)) dense.Dispose(); }
        return arr;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item: expected a tensor with one element, got shape {ShapeUtil.Format(Shape)}.");
        return ToArray()[0];
    }

    /// <summary>A dense f32 span over a contiguous f32 tensor.</summary>
    public Span<float> AsSpan()
    {
        if (DType != DType.F32) throw DTypeError("AsSpan", DType.F32);
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
        var dense = src.IsContiguous ? src : src.DenseCopy();
        try { StridedCopy.FromContiguous((byte*)dense.RawPointer, (byte*)RawPointer, Shape, Strides, DType.SizeOf()); }
        finally { if (!ReferenceEquals(dense, src)) dense.Dispose(); }
    }

    /// <summary>Copies values (same shape) from <paramref name="src"/> into this tensor in place, converting dtype.</summary>
    public void CopyFrom(Tensor src)
    {
        if (!ShapeUtil.SameShape(Shape, src.Shape))
            throw new ArgumentException($"CopyFrom: source shape {ShapeUtil.Format(src.Shape)} differs from destination shape {ShapeUtil.Format(Shape)}.");
        if (!IsContiguous) throw new InvalidOperationException("CopyFrom: destination must be contiguous.");
        var dense = src.IsContiguous ? src : src.DenseCopy();
        try { Cpu.Convert.Run(dense.RawPointer, src.DType, RawPointer, DType, Numel); }
        finally { if (!ReferenceEquals(dense, src)) dense.Dispose(); }
    }
}
