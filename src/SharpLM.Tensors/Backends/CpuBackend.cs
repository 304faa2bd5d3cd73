// CpuBackend: the default backend — pooled 64-byte aligned host memory (Storage/MemoryPool) and the
// kernels in Cpu/. This half holds allocation, host transfer, fill, copy and convert; the kernel entry
// points are in CpuBackend.Kernels.cs. Each method forwards to an existing kernel; nothing is restated.
using System.Runtime.InteropServices;
using SharpLM.Tensors.Cpu;
using SharpLM.Tensors.Storage;

namespace SharpLM.Tensors.Backends;

/// <summary>The host CPU backend.</summary>
public sealed unsafe partial class CpuBackend : IBackend
{
    /// <summary>The single instance (the CPU has one memory pool).</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    public string Name => "cpu";
    public Device Device => Device.Cpu;

    public TensorStorage Allocate(long bytes)
    {
        var (ptr, cls) = MemoryPool.Rent(bytes);
        return new TensorStorage(this, bytes, ptr, cls);
    }

    public void Free(nint handle, int poolClass, bool fromFinalizer)
    {
        if (fromFinalizer) NativeMemory.AlignedFree((void*)handle);
        else MemoryPool.Return(handle, poolClass);
    }

    private static long ByteCount(Tensor t) => t.Numel * t.DType.SizeOf();

    public void CopyFromHost(ReadOnlySpan<byte> src, Tensor dst)
    {
        if (src.Length != ByteCount(dst)) throw new ArgumentException($"CopyFromHost: {src.Length} bytes for a tensor of {ByteCount(dst)} bytes ({dst}).");
        src.CopyTo(new Span<byte>(dst.RawPointer, src.Length));
    }

    public void CopyToHost(Tensor src, Span<byte> dst)
    {
        if (dst.Length != ByteCount(src)) throw new ArgumentException($"CopyToHost: {dst.Length} bytes for a tensor of {ByteCount(src)} bytes ({src}).");
        new ReadOnlySpan<byte>(src.RawPointer, dst.Length).CopyTo(dst);
    }

    public void Fill(Tensor dst, float value)
    {
        if (BitConverter.SingleToInt32Bits(value) == 0) { new Span<byte>(dst.RawPointer, checked((int)ByteCount(dst))).Clear(); return; }
        new Span<float>(dst.F32Pointer, checked((int)dst.Numel)).Fill(value);
    }

    public void Copy(Tensor src, Tensor dst)
    {
        int es = src.DType.SizeOf();
        bool sc = src.IsContiguous, dc = dst.IsContiguous;
        if (sc && dc) { long n = src.Numel * es; Buffer.MemoryCopy(src.RawPointer, dst.RawPointer, n, n); }
        else if (dc) StridedCopy.ToContiguous((byte*)src.RawPointer, src.Shape, src.Strides, (byte*)dst.RawPointer, es);
        else if (sc) StridedCopy.FromContiguous((byte*)src.RawPointer, (byte*)dst.RawPointer, dst.Shape, dst.Strides, es);
        else
        {
            var (tmp, cls) = MemoryPool.Rent(src.Numel * es);
            try
            {
                StridedCopy.ToContiguous((byte*)src.RawPointer, src.Shape, src.Strides, (byte*)tmp, es);
                StridedCopy.FromContiguous((byte*)tmp, (byte*)dst.RawPointer, dst.Shape, dst.Strides, es);
            }
            finally { MemoryPool.Return(tmp, cls); }
        }
    }

    public void Convert(Tensor src, Tensor dst) => Cpu.Convert.Run(src.RawPointer, src.DType, dst.RawPointer, dst.DType, src.Numel);

    public void AddInto(Tensor src, Tensor dst)
    {
        if (dst.IsContiguous)
        {
            var d = new Span<float>(dst.F32Pointer, checked((int)dst.Numel));
            System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(src.F32Pointer, d.Length), d);
        }
        else StridedCopy.AddIntoStrided(src.F32Pointer, dst.F32Pointer, dst.Shape, dst.Strides);
    }
}
