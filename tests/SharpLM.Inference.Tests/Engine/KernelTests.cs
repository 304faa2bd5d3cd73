// Engine kernel tests: fp16 conversion (all 65536 bit patterns), row dequantisation (bit-exact against
// GgmlQuant.Dequantize), RowDot for every stored type (AVX-512 and scalar) and the parallel GEMV/GEMM
// against a double-precision reference over the dequantised weights.
// Tolerances: F32/F16/BF16 rows use f32 activations, so |y − ref| ≤ 1e-5·Σ|w·x| (f32 accumulation).
// Q8_0/Q4_0 quantise the activations to Q8_0 (round to nearest, step d_b = amax_b/127), so each value moves by
// at most d_b/2 + 127·2^-11·d_b (d is stored as fp16, as ggml) ≤ 0.57·d_b: |y − ref| ≤ Σ_b 0.57·d_b·Σ_{i∈b}|w_i| (checked with 1% slack) + 1e-5·Σ|w·x|;
// against a double reference that uses the same quantised activations they agree to 1e-5·Σ|w·x|.
using SharpLM.Inference.Engine;
using SharpLM.Models.Formats.Gguf;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public unsafe class KernelTests
{
    public static TheoryData<GgmlType> Types => new() { GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0 };

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale * (i % 7 == 0 ? 3 : 1);
        return a;
    }

    private static (byte[] Bytes, float[] Deq) Weights(GgmlType type, int rows, int cols, int seed)
    {
        var w = Random(rows * cols, seed, 0.5f);
        var bytes = new byte[type.ByteSize((long)rows * cols)];
        GgmlQuant.Quantize(type, w, bytes);
        var deq = new float[rows * cols];
        GgmlQuant.Dequantize(type, bytes, deq);
        return (bytes, deq);
    }

    [Fact]
    public void Fp16ConversionIsExactForEveryBitPattern()
    {
        var bits = new ushort[65536];
        for (int i = 0; i < bits.Length; i++) bits[i] = (ushort)i;
        var vec = new float[65536];
        fixed (ushort* p = bits)
        fixed (float* v = vec)
            if (RowDot.Simd)
                for (int i = 0; i < bits.Length; i += 16) System.Runtime.Intrinsics.Vector512.Store(Fp16.Load16(p + i), v + i);
        for (int i = 0; i < bits.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)i);
            float scalar = Fp16.ToFloat((ushort)i);
            if (float.IsNaN(expected)) { Assert.True(float.IsNaN(scalar)); if (RowDot.Simd) Assert.True(float.IsNaN(vec[i])); continue; }
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(scalar));
            if (RowDot.Simd) Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(vec[i]));
        }
    }

    [Theory, MemberData(nameof(Types))]
    public void DequantRowIsBitExact(GgmlType type)
    {
        const int rows = 5, cols = 288;
        var (bytes, deq) = Weights(type, rows, cols, 1);
        var row = new float[cols];
        fixed (byte* b = bytes)
        fixed (float* o = row)
        {
            var m = new WeightMatrix(type, b, rows, cols);
            for (int r = 0; r < rows; r++)
            {
                Dequant.Row(m, r, o);
                Assert.Equal(deq.AsSpan(r * cols, cols).ToArray(), row);
            }
        }
    }

    [Theory, MemberData(nameof(Types))]
    public void RowDotMatchesDoubleReference(GgmlType type)
    {
        const int rows = 37, cols = 288; // 9 blocks: exercises the odd-block tail
        var (bytes, deq) = Weights(type, rows, cols, 2);
        var x = Random(cols, 3);
        using var qa = new QuantizedActivations(cols, 1);
        var y = new float[rows];
        fixed (byte* b = bytes)
        fixed (float* xp = x, yp = y)
        {
            qa.Quantize(xp, 1);
            var q = qa.Row(0);
            var m = new WeightMatrix(type, b, rows, cols);
            var xq = new double[cols];
            for (int i = 0; i < cols; i++) xq[i] = q.Qs[i] * (double)q.D[i / 32];
            foreach (bool simd in new[] { true, false })
                for (int r = 0; r < rows; r++)
                {
                    float got = type switch
                    {
                        GgmlType.F32 => RowDot.F32((float*)m.Row(r), xp, cols, simd),
                        GgmlType.F16 => RowDot.F16((ushort*)m.Row(r), xp, cols, simd),
                        GgmlType.BF16 => RowDot.Bf16((ushort*)m.Row(r), xp, cols, simd),
                        GgmlType.Q8_0 => RowDot.Q8_0(m.Row(r), q, cols / 32, simd),
                        _ => RowDot.Q4_0(m.Row(r), q, cols / 32, simd),
                    };
                    double exact = 0, same = 0, mag = 0, bound = 0;
                    for (int i = 0; i < cols; i++)
                    {
                        double w = deq[r * cols + i];
                        exact += w * x[i]; same += w * xq[i]; mag += Math.Abs(w * x[i]);
                        bound += Math.Abs(w) * q.D[i / 32] * 0.57; // d/2 rounding + 127·|d − fp16(d)| ≤ 0.57·d
                    }
                    if (m.IsQuantized)
                    {
                        Assert.True(Math.Abs(got - same) <= 1e-5 * mag, $"{type} simd={simd} row {r}: {got} vs {same} (same activations)");
                        Assert.True(Math.Abs(got - exact) <= 1.01 * bound + 1e-5 * mag, $"{type} simd={simd} row {r}: {got} vs {exact}, bound {bound}");
                    }
                    else Assert.True(Math.Abs(got - exact) <= 1e-5 * mag, $"{type} simd={simd} row {r}: {got} vs {exact}");
                }
            // The parallel GEMV over three matrices gives the same values as RowDot.
            var y2 = new float[rows]; var y3 = new float[rows];
            fixed (float* y2p = y2, y3p = y3)
            {
                Matmul.Gemv(xp, q, m, yp, m, y2p, m, y3p);
                for (int r = 0; r < rows; r++)
                {
                    float single = type switch
                    {
                        GgmlType.F32 => RowDot.F32((float*)m.Row(r), xp, cols),
                        GgmlType.F16 => RowDot.F16((ushort*)m.Row(r), xp, cols),
                        GgmlType.BF16 => RowDot.Bf16((ushort*)m.Row(r), xp, cols),
                        GgmlType.Q8_0 => RowDot.Q8_0(m.Row(r), q, cols / 32),
                        _ => RowDot.Q4_0(m.Row(r), q, cols / 32),
                    };
                    Assert.Equal(single, y[r]); Assert.Equal(single, y2[r]); Assert.Equal(single, y3[r]);
                }
            }
        }
    }

    [Theory, MemberData(nameof(Types))]
    public void PrefillGemmMatchesDoubleReference(GgmlType type)
    {
        const int rows = 2100, cols = 256, tokens = 7; // more rows than one dequantised panel (2048 at 256 columns)
        var (bytes, deq) = Weights(type, rows, cols, 4);
        var x = Random(tokens * cols, 5);
        var y = new float[tokens * rows];
        using var mm = new Matmul();
        fixed (byte* b = bytes)
        fixed (float* xp = x, yp = y)
            mm.Gemm(xp, tokens, new WeightMatrix(type, b, rows, cols), yp, rows);
        for (int t = 0; t < tokens; t++)
            for (int r = 0; r < rows; r++)
            {
                double exact = 0, mag = 0;
                for (int i = 0; i < cols; i++) { double p = (double)deq[r * cols + i] * x[t * cols + i]; exact += p; mag += Math.Abs(p); }
                Assert.True(Math.Abs(y[t * rows + r] - exact) <= 1e-5 * mag, $"{type} t {t} r {r}: {y[t * rows + r]} vs {exact}");
            }
    }

    public static TheoryData<GgmlType, int, int, int> QuantGemmShapes => new()
    {
        { GgmlType.Q8_0, 37, 288, 7 },   // 9 blocks (odd: zero-padded pair), rows and tokens off the 4×4 tile
        { GgmlType.Q4_0, 37, 288, 7 },
        { GgmlType.Q8_0, 64, 256, 12 },  // whole tiles only
        { GgmlType.Q4_0, 48, 512, 5 },
    };

    [Theory, MemberData(nameof(QuantGemmShapes))]
    public void QuantGemmMatchesDoubleReferenceOnTheSameInt8Activations(GgmlType type, int rows, int cols, int tokens)
    {
        Assert.True(QuantGemm.Supported, "this test machine is expected to have AVX-512 (the CI machine does)");
        var (bytes, deq) = Weights(type, rows, cols, 6);
        var x = Random(tokens * cols, 7);
        var y = new float[tokens * rows];
        using var qa = new QuantizedActivations(cols, tokens);
        using var mm = new Matmul();
        fixed (byte* b = bytes)
        fixed (float* xp = x, yp = y)
        {
            qa.Quantize(xp, tokens);
            mm.Gemm(xp, tokens, new WeightMatrix(type, b, rows, cols), yp, rows, qa);
            for (int t = 0; t < tokens; t++)
            {
                var q = qa.Row(t);
                for (int r = 0; r < rows; r++)
                {
                    double same = 0, exact = 0, mag = 0, bound = 0;
                    for (int i = 0; i < cols; i++)
                    {
                        double w = deq[r * cols + i];
                        same += w * q.Qs[i] * (double)q.D[i / 32];
                        exact += w * x[t * cols + i]; mag += Math.Abs(w * x[t * cols + i]);
                        bound += Math.Abs(w) * q.D[i / 32] * 0.57;
                    }
                    float got = y[t * rows + r];
                    Assert.True(Math.Abs(got - same) <= 1e-5 * mag, $"{type} t {t} r {r}: {got} vs {same} (same int8 activations)");
                    Assert.True(Math.Abs(got - exact) <= 1.01 * bound + 1e-5 * mag, $"{type} t {t} r {r}: {got} vs {exact}, bound {bound}");
                }
            }
        }
    }
}
