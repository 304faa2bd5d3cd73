// TensorStorage: a reference-counted block of pooled native memory shared by a tensor and all its views.
// The last view to be disposed returns the block to the pool; a finalizer is only a safety net for
// storage that was never disposed (it frees to the OS, since finalizers run on another thread).
using System.Runtime.InteropServices;

namespace SharpLM.Tensors.Storage;

/// <summary>Native memory behind one or more tensor views.</summary>
public sealed unsafe class TensorStorage
{
    private nint _ptr;
    private readonly int _sizeClass;
    private int _refs;

    /// <summary>Size in bytes that was requested.</summary>
    public long Bytes { get; }

    /// <summary>Device the memory lives on ("cpu").</summary>
    public string Device => "cpu";

    internal TensorStorage(long bytes)
    {
        Bytes = bytes;
        (_ptr, _sizeClass) = MemoryPool.Rent(bytes);
        _refs = 0;
    }

    /// <summary>Base pointer; throws if the storage has been released.</summary>
    public void* Pointer => _ptr != 0 ? (void*)_ptr : throw new ObjectDisposedException(nameof(TensorStorage), "Tensor storage used after it was disposed.");

    internal bool IsReleased => _ptr == 0;

    internal void AddRef() => Interlocked.Increment(ref _refs);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            var p = Interlocked.Exchange(ref _ptr, 0);
            if (p != 0) MemoryPool.Return(p, _sizeClass);
            GC.SuppressFinalize(this);
        }
    }

    ~TensorStorage()
    {
        var p = Interlocked.Exchange(ref _ptr, 0);
        if (p != 0) NativeMemory.AlignedFree((void*)p);
    }
}
