// TensorStorage: a reference-counted block of device memory shared by a tensor and all its views. The
// backend that allocated it owns it: the last view to be disposed hands the block back to that backend
// (the CPU backend returns it to the pool); a finalizer is only a safety net for storage that was never
// disposed (the backend frees it without touching its pool, since finalizers run on another thread).
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors.Storage;

/// <summary>Memory behind one or more tensor views, owned by the backend that allocated it.</summary>
public sealed unsafe class TensorStorage
{
    private nint _ptr;
    private readonly int _poolClass;
    private int _refs;

    /// <summary>Size in bytes that was requested.</summary>
    public long Bytes { get; }

    /// <summary>The backend that allocated this memory and takes it back.</summary>
    public IBackend Backend { get; }

    /// <summary>Device the memory lives on.</summary>
    public Device Device => Backend.Device;

    internal TensorStorage(IBackend owner, long bytes, nint ptr, int poolClass)
    {
        Backend = owner;
        Bytes = bytes;
        _ptr = ptr;
        _poolClass = poolClass;
        _refs = 0;
    }

    /// <summary>Base address (a host pointer on the CPU); throws if the storage has been released.</summary>
    internal void* Pointer => _ptr != 0 ? (void*)_ptr : throw new ObjectDisposedException(nameof(TensorStorage), "Tensor storage used after it was disposed.");

    internal bool IsReleased => _ptr == 0;

    internal void AddRef() => Interlocked.Increment(ref _refs);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            var p = Interlocked.Exchange(ref _ptr, 0);
            if (p != 0) Backend.Free(p, _poolClass, fromFinalizer: false);
            GC.SuppressFinalize(this);
        }
    }

    ~TensorStorage()
    {
        var p = Interlocked.Exchange(ref _ptr, 0);
        if (p != 0) Backend.Free(p, _poolClass, fromFinalizer: true);
    }
}
