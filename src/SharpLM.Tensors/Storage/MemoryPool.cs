// MemoryPool: 64-byte aligned native blocks recycled by size class, so that a training step at steady state
// asks the OS for nothing new. Size classes are powers of two from 64 bytes; a freed block goes back on its
// class's free list. Statistics let tests and benchmarks prove the steady state.
using System.Numerics;
using System.Runtime.InteropServices;

namespace SharpLM.Tensors.Storage;

/// <summary>A process-wide pool of 64-byte aligned native memory blocks.</summary>
public static unsafe class MemoryPool
{
    /// <summary>Alignment of every block, in bytes (one cache line; enough for AVX-512 loads).</summary>
    public const int Alignment = 64;

    private static readonly Stack<nint>[] Free = Enumerable.Range(0, 64).Select(_ => new Stack<nint>()).ToArray();
    private static readonly object Gate = new();
    private static long _bytesFromOs, _blocksFromOs, _reuses, _bytesInUse, _bytesCached;

    /// <summary>Total bytes ever requested from the OS (grows only when the pool has no block of the class).</summary>
    public static long BytesFromOs => Interlocked.Read(ref _bytesFromOs);
    /// <summary>Number of blocks ever requested from the OS.</summary>
    public static long BlocksFromOs => Interlocked.Read(ref _blocksFromOs);
    /// <summary>Number of requests served from a free list.</summary>
    public static long Reuses => Interlocked.Read(ref _reuses);
    /// <summary>Bytes currently handed out (by size class).</summary>
    public static long BytesInUse => Interlocked.Read(ref _bytesInUse);
    /// <summary>Bytes sitting in free lists.</summary>
    public static long BytesCached => Interlocked.Read(ref _bytesCached);

    /// <summary>The size class index for a request of <paramref name="bytes"/>.</summary>
    internal static int ClassOf(long bytes) => bytes <= Alignment ? 6 : 64 - BitOperations.LeadingZeroCount((ulong)(bytes - 1));

    /// <summary>Takes a block of at least <paramref name="bytes"/> bytes; returns its pointer and size class.</summary>
    public static (nint Ptr, int SizeClass) Rent(long bytes)
    {
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "MemoryPool.Rent: expected a non-negative size.");
        int cls = ClassOf(Math.Max(bytes, 1));
        long size = 1L << cls;
        lock (Gate)
        {
            if (Free[cls].TryPop(out var p))
            {
                _reuses++;
                _bytesInUse += size;
                _bytesCached -= size;
                return (p, cls);
            }
        }
        void* mem = NativeMemory.AlignedAlloc((nuint)size, Alignment);
        if (mem == null) throw new OutOfMemoryException($"MemoryPool: could not allocate {size} bytes of native memory.");
        Interlocked.Add(ref _bytesFromOs, size);
        Interlocked.Increment(ref _blocksFromOs);
        Interlocked.Add(ref _bytesInUse, size);
        return ((nint)mem, cls);
    }

    /// <summary>Returns a block to its free list.</summary>
    public static void Return(nint ptr, int sizeClass)
    {
        long size = 1L << sizeClass;
        lock (Gate)
        {
            Free[sizeClass].Push(ptr);
            _bytesInUse -= size;
            _bytesCached += size;
        }
    }

    /// <summary>Gives every cached block back to the OS.</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            for (int c = 0; c < Free.Length; c++)
                while (Free[c].TryPop(out var p)) { NativeMemory.AlignedFree((void*)p); _bytesCached -= 1L << c; }
        }
    }
}
