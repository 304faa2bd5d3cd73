// QuantizedActivations: f32 activation rows quantised once per matmul to ggml Q8_0 blocks exactly as ggml's
// SIMD quantize_row_q8_0 does (32 values, q = round-to-nearest-even(x·127/amax), d = amax/127 stored as fp16 —
// the fp16 rounding of d is kept so results track llama.cpp's) so that quantised weights are dotted with int8
// arithmetic. Per row:
//   Qs  [blocks·32] int8   quantised values
//   D   [blocks]    f32    block scales
//   Sum [blocks]    int32  Σq of the block — the int8 kernels need it where the weights carry an offset: Q4_0
//                          (nibbles q' = q + 8, so Σ(q'−8)·x = Σq'·x − 8·Σx) and the K-quants' mins
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;

namespace SharpLM.Inference.Engine;

/// <summary>One quantised activation row (pointers into a <see cref="QuantizedActivations"/> buffer).</summary>
internal readonly unsafe struct QRow(sbyte* qs, float* d, int* sum)
{
    public readonly sbyte* Qs = qs;
    public readonly float* D = d;
    public readonly int* Sum = sum;
}

/// <summary>A reusable buffer of up to <see cref="Capacity"/> quantised rows of length <see cref="Cols"/>.</summary>
internal sealed unsafe class QuantizedActivations : IDisposable
{
    public int Cols { get; }
    public int Capacity { get; private set; }
    public int Blocks => Cols / 32;
    private long QsBytes => (Blocks * 32L + 63) & ~63L;           // each array 64-byte aligned
    private long ScalarBytes => (Blocks * 4L + 63) & ~63L;
    private long RowBytes => QsBytes + 2 * ScalarBytes;             // Qs, D, Sum
    private byte* _mem;

    public QuantizedActivations(int cols, int rows)
    {
        if (cols % 32 != 0) throw new ArgumentException($"QuantizedActivations: {cols} columns is not a multiple of 32.");
        Cols = cols;
        Ensure(rows);
    }

    public void Ensure(int rows)
    {
        if (rows <= Capacity) return;
        if (_mem != null) NativeMemory.AlignedFree(_mem);
        long bytes = Math.Max(1, rows) * RowBytes;
        _mem = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        NativeMemory.Clear(_mem, (nuint)bytes);
        Capacity = rows;
    }

    public QRow Row(int r)
    {
        byte* p = _mem + r * RowBytes;
        return new QRow((sbyte*)p, (float*)(p + QsBytes), (int*)(p + QsBytes + ScalarBytes));
    }

    /// <summary>Quantises <paramref name="rows"/> rows of <paramref name="x"/> (row stride <see cref="Cols"/>).</summary>
    public void Quantize(float* x, int rows)
    {
        Ensure(rows);
        for (int r = 0; r < rows; r++) QuantizeRow(x + (long)r * Cols, Row(r), Blocks);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeRow(float* x, QRow o, int blocks, KernelPath path = KernelPath.Best)
    {
        bool simd = RowDot.Use512(path), avx2 = RowDot.Use256(path);
        for (int b = 0; b < blocks; b++)
        {
            float* xb = x + b * 32;
            sbyte* q = o.Qs + b * 32;
            float amax;
            if (simd)
            {
                var v0 = Vector512.Load(xb); var v1 = Vector512.Load(xb + 16);
                amax = HMax(Vector512.Max(Vector512.Abs(v0), Vector512.Abs(v1)));
                float d = (float)(Half)(amax / 127f), id = amax != 0 ? 127f / amax : 0f;
                var i0 = Avx512F.ConvertToVector512Int32(v0 * id);            // MXCSR round-to-nearest-even
                var i1 = Avx512F.ConvertToVector512Int32(v1 * id);
                Avx512F.ConvertToVector128SByte(i0).Store(q);
                Avx512F.ConvertToVector128SByte(i1).Store(q + 16);
                Finish(o, b, d, Vector512.Sum(i0 + i1));
            }
            else if (avx2)
            {
                var v0 = Vector256.Load(xb); var v1 = Vector256.Load(xb + 8); var v2 = Vector256.Load(xb + 16); var v3 = Vector256.Load(xb + 24);
                var m = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
                var m4 = Vector128.Max(m.GetLower(), m.GetUpper());
                amax = MathF.Max(MathF.Max(m4[0], m4[1]), MathF.Max(m4[2], m4[3]));
                float d = (float)(Half)(amax / 127f), id = amax != 0 ? 127f / amax : 0f;
                var idv = Vector256.Create(id);
                var i0 = Avx.ConvertToVector256Int32(v0 * idv); var i1 = Avx.ConvertToVector256Int32(v1 * idv); // MXCSR round-to-nearest-even
                var i2 = Avx.ConvertToVector256Int32(v2 * idv); var i3 = Avx.ConvertToVector256Int32(v3 * idv);
                Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3)).Store(q);
                Finish(o, b, d, Vector256.Sum((i0 + i1) + (i2 + i3)));
            }
            else
            {
                amax = 0;
                for (int j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(xb[j]));
                float d = (float)(Half)(amax / 127f), id = amax != 0 ? 127f / amax : 0f;
                int sum = 0;
                for (int j = 0; j < 32; j++) { int v = (int)MathF.Round(xb[j] * id, MidpointRounding.ToEven); q[j] = (sbyte)v; sum += v; }
                Finish(o, b, d, sum);
            }
        }
    }

    private static float HMax(Vector512<float> m)
    {
        var a = Vector256.Max(m.GetLower(), m.GetUpper());
        var b = Vector128.Max(a.GetLower(), a.GetUpper());
        return MathF.Max(MathF.Max(b[0], b[1]), MathF.Max(b[2], b[3]));
    }

    private static void Finish(QRow o, int b, float d, int sum)
    {
        o.D[b] = d;
        o.Sum[b] = sum;
    }

    public void Dispose()
    {
        if (_mem != null) { NativeMemory.AlignedFree(_mem); _mem = null; }
        Capacity = 0;
    }
}
