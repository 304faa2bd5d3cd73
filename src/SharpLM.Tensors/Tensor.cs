// Tensor: a typed, strided view (shape, strides, offset) over reference-counted native storage, plus the
// autograd fields (requires_grad, grad, the node that produced it). Creation lives in Tensor.Create.cs,
// views in Tensor.Views.cs, data access and dtype conversion in Tensor.Data.cs, math in Ops/.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;
using SharpLM.Tensors.Storage;

namespace SharpLM.Tensors;

/// <summary>An n-dimensional array of <see cref="DType"/> elements that can take part in autograd.</summary>
public sealed unsafe partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private readonly long[] _strides;
    private bool _disposed;
    private bool _requiresGrad;

    internal TensorStorage Storage { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Offset of element [0,…,0] from the start of the storage, in elements.</summary>
    public long Offset { get; }

    /// <summary>Size of each dim.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The shape array itself, for kernels that take int[] (never mutate it).</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>Device the storage lives on.</summary>
    public Device Device => Storage.Device;

    /// <summary>Distance between neighbours along each dim, in elements.</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Number of dims.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public long Numel { get; }

    /// <summary>Size of dim <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => _shape[ShapeUtil.NormalizeDim(dim, Rank, "Tensor.Size")];

    /// <summary>The gradient accumulated by <see cref="Backward"/> (leaves only).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The autograd node that produced this tensor, or null for a leaf.</summary>
    internal GradNode? Node { get; set; }

    /// <summary>True when this tensor is a leaf (not produced by a recorded op).</summary>
    public bool IsLeaf => Node is null;

    /// <summary>Whether gradients flow to this tensor. Only leaves may be switched on by the user.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf && !value) throw new InvalidOperationException("RequiresGrad: a non-leaf tensor cannot be switched off; use Detach().");
            if (value && DType != DType.F32) throw new InvalidOperationException($"RequiresGrad: only f32 tensors can require gradients, this one is {DType.Name()}.");
            _requiresGrad = value;
        }
    }

    internal Tensor(TensorStorage storage, int[] shape, long[] strides, long offset, DType dtype, bool scoped = true)
    {
        Storage = storage;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        DType = dtype;
        Numel = ShapeUtil.Numel(shape);
        storage.AddRef();
        if (scoped) TensorScope.Current?.Register(this);
    }

    /// <summary>Host pointer to element [0,…,0] (CPU storage only; for kernels and the layers that must read raw bytes).</summary>
    public void* RawPointer => (byte*)Storage.Pointer + Offset * DType.SizeOf();

    /// <summary>Pointer to element [0,…,0] of an f32 tensor.</summary>
    public float* F32Pointer => DType == DType.F32 ? (float*)RawPointer : throw DTypeError("F32Pointer", DType.F32);

    /// <summary>Pointer to element [0,…,0] of an i32 tensor.</summary>
    public int* I32Pointer => DType == DType.I32 ? (int*)RawPointer : throw DTypeError("I32Pointer", DType.I32);

    internal InvalidOperationException DTypeError(string op, DType expected) =>
        new($"{op}: expected a {expected.Name()} tensor, got {DType.Name()} with shape {ShapeUtil.Format(Shape)}.");

    /// <summary>True when the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous
    {
        get
        {
            long expect = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                if (_shape[i] != 1 && _strides[i] != expect) return false;
                expect *= _shape[i];
            }
            return true;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>Releases this view's hold on the storage (the memory returns to the pool with the last view).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Storage.Release();
    }

    public override string ToString() => $"Tensor(shape={ShapeUtil.Format(Shape)}, dtype={DType.Name()}{(RequiresGrad ? ", requires_grad" : "")})";
}
