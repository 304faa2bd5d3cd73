// Engine kernel tests: fp16 conversion (all 65536 bit patterns), row dequantisation (bit-exact against
// GgmlQuant.Dequantize), RowDot for every stored type (AVX-512 and scalar) and the parallel GEMV/GEMM
// against a double-precision reference over the dequantised weights.
// Tolerances: F32/F16/BF16 rows use f32 activations, so |y − ref| ≤ 1e-5·Σ|w·x| (f32 accumulation).
// Q8_0/Q4_0 quantise the activations to Q8_0 (round to nearest, step d_b = amax_b/127), so each value moves by
// at most d_b/2 + 127·2^-11·d_b (d is stored as fp16, as ggml) ≤ 0.57·d_b: |y − ref| ≤ Σ_b 0.57·d_b·Σ_{i∈b}|w_i| (checked with 1% slack) + 1e-5·Σ|w·x|;
// against a double reference that uses the same quantised activations they agree to 1e-5·Σ|w·x|.
using SharpLM.Inference.Engine;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using Xunit;

namespace SharpLM.Inference.Tests.Engine;

public unsafe class KernelTests
{
    // Every kernel family this CPU can run: the default (AVX-512 on the CI machine), AVX2 and scalar.
    private static readonly KernelPath[] Paths = RowDot.CanAvx2 ? [KernelPath.Best, KernelPath.Avx2, KernelPath.Scalar] : [KernelPath.Best, KernelPath.Scalar];

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
        // Each vector form this CPU runs (16-wide AVX-512, 8-wide AVX2), against .NET's Half for all patterns.
        var forms = new List<(string Name, float[] Values)>();
        fixed (ushort* p = bits)
        {
            if (RowDot.Simd)
            {
                var v = new float[65536];
                fixed (float* o = v) for (int i = 0; i < 65536; i += 16) System.Runtime.Intrinsics.Vector512.Store(Fp16.Load16(p + i), o + i);
                forms.Add(("Load16", v));
            }
            if (RowDot.CanAvx2)
            {
                var v = new float[65536];
                fixed (float* o = v) for (int i = 0; i < 65536; i += 8) System.Runtime.Intrinsics.Vector256.Store(Fp16.Load8(p + i), o + i);
                forms.Add(("Load8", v));
                var scaled = new float[65536];
                fixed (float* o = scaled) for (int i = 0; i < 65536; i += 8) System.Runtime.Intrinsics.Vector256.Store(Fp16.LoadScaled8(p + i), o + i);
                for (int i = 0; i < 65536; i++)
                    if ((i & 0x7c00) != 0x7c00) // finite halves: the scaled form times 2^112 is the value
                        Assert.Equal((double)(float)BitConverter.UInt16BitsToHalf((ushort)i), (double)scaled[i] * Fp16.Unscale);
            }
        }
        for (int i = 0; i < bits.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)i);
            float scalar = Fp16.ToFloat((ushort)i);
            if (float.IsNaN(expected))
            {
                Assert.True(float.IsNaN(scalar));
                foreach (var (name, v) in forms) Assert.True(float.IsNaN(v[i]), $"{name} of 0x{i:x4}");
                continue;
            }
            Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(scalar));
            foreach (var (name, v) in forms) Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(v[i]), $"{name} of 0x{i:x4}: {v[i]} vs {expected}");
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
            foreach (var path in Paths)
                for (int r = 0; r < rows; r++)
                {
                    Dequant.Row(m, r, o, path);
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
            foreach (var path in Paths)
                for (int r = 0; r < rows; r++)
                {
                    float got = type switch
                    {
                        GgmlType.F32 => RowDot.F32((float*)m.Row(r), xp, cols, path),
                        GgmlType.F16 => RowDot.F16((ushort*)m.Row(r), xp, cols, path),
                        GgmlType.BF16 => RowDot.Bf16((ushort*)m.Row(r), xp, cols, path),
                        GgmlType.Q8_0 => RowDot.Q8_0(m.Row(r), q, cols / 32),
                        _ => RowDot.Q4_0(m.Row(r), q, cols / 32),
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
                        Assert.True(Math.Abs(got - same) <= 1e-5 * mag, $"{type} path={path} row {r}: {got} vs {same} (same activations)");
                        Assert.True(Math.Abs(got - exact) <= 1.01 * bound + 1e-5 * mag, $"{type} path={path} row {r}: {got} vs {exact}, bound {bound}");
                    }
                    else Assert.True(Math.Abs(got - exact) <= 1e-5 * mag, $"{type} path={path} row {r}: {got} vs {exact}");
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
        { GgmlType.Q4_0, 40, 256, 70 },  // a long prefill pass
    };

    [Theory, MemberData(nameof(QuantGemmShapes))]
    public void QuantGemmMatchesDoubleReferenceOnTheSameInt8Activations(GgmlType type, int rows, int cols, int tokens)
    {
        // With AVX-512 the tile kernel runs; without (CI's second run, DOTNET_EnableAVX512=0) RowDot per (token, row).
        var (bytes, deq) = Weights(type, rows, cols, 6);
        var x = Random(tokens * cols, 7);
        var y = new float[tokens * rows];
        using var qa = new QuantizedActivations(cols, tokens);
        using var mm = new Matmul();
        fixed (byte* b = bytes)
        fixed (float* xp = x, yp = y)
        {
            qa.Quantize(xp, tokens);
            foreach (var path in Paths)
            {
            if (path == KernelPath.Best) mm.Gemm(xp, tokens, new WeightMatrix(type, b, rows, cols), yp, rows, qa); // the engine's entry point
            else QuantGemm.Run(qa, tokens, new WeightMatrix(type, b, rows, cols), yp, rows, path);
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
                    Assert.True(Math.Abs(got - same) <= 1e-5 * mag, $"{type} {path} t {t} r {r}: {got} vs {same} (same int8 activations)");
                    Assert.True(Math.Abs(got - exact) <= 1.01 * bound + 1e-5 * mag, $"{type} {path} t {t} r {r}: {got} vs {exact}, bound {bound}");
                }
            }
            }
        }
    }

    [Fact]
    public void ActivationQuantisationIsIdenticalOnEveryKernelPath()
    {
        const int cols = 288; // 9 blocks
        var x = Random(cols, 8);
        x[40] = 0; for (int i = 64; i < 96; i++) x[i] = 0; // an all-zero block (scale 0)
        x[3] = 2.5f * 127f / 127f; // ties are rounded to even by every path (MXCSR and MidpointRounding.ToEven)
        var results = new List<(KernelPath Path, sbyte[] Q, float[] D, int[] Sum)>();
        foreach (var path in Paths)
        {
            using var qa = new QuantizedActivations(cols, 1);
            fixed (float* xp = x) QuantizedActivations.QuantizeRow(xp, qa.Row(0), cols / 32, path);
            var r = qa.Row(0);
            results.Add((path, new Span<sbyte>(r.Qs, cols).ToArray(), new Span<float>(r.D, 9).ToArray(), new Span<int>(r.Sum, 9).ToArray()));
        }
        var scalar = results.Single(r => r.Path == KernelPath.Scalar);
        // The scalar path against the definition: q = round(x·127/amax), d = fp16(amax/127), and Σq.
        for (int b = 0; b < 9; b++)
        {
            float amax = 0; for (int j = 0; j < 32; j++) amax = Math.Max(amax, Math.Abs(x[b * 32 + j]));
            Assert.Equal((float)(Half)(amax / 127f), scalar.D[b]);
            int sum = 0;
            for (int j = 0; j < 32; j++)
            {
                int q = amax == 0 ? 0 : (int)Math.Round(x[b * 32 + j] * (127f / amax), MidpointRounding.ToEven);
                Assert.Equal(q, scalar.Q[b * 32 + j]); sum += q;
            }
            Assert.Equal(sum, scalar.Sum[b]);
        }
        foreach (var r in results)
        {
            Assert.Equal(scalar.Q, r.Q); Assert.Equal(scalar.D, r.D); Assert.Equal(scalar.Sum, r.Sum);
        }
    }

    // The engine packs Q8_0/Q4_0 weights once (QuantGemm.PackAll) and runs both the decode GEMV and the GEMM on
    // the packed rows: every token's outputs must be identical whichever runs them (a sequence alone or batched),
    // and equal the double reference over the same int8 activations.
    [Theory]
    [InlineData(GgmlType.Q8_0, 37, 288)] // a partial last 16-row group, an odd block count
    [InlineData(GgmlType.Q4_0, 37, 288)]
    [InlineData(GgmlType.Q4_0, 64, 512)]
    public void PackedGemvEqualsPackedGemmBitForBit(GgmlType type, int rows, int cols)
    {
        Assert.True(QuantGemm.Supported, "the CI machine has AVX-512 (and the AVX2 rerun keeps AVX2)");
        var (bytes, deq) = Weights(type, rows, cols, 9);
        AssertPackedRowsMatch(type, bytes, deq, rows, cols);
    }

    /// <summary>
    /// Packs the weights (QuantGemm.PackAll) and runs 6 tokens through the GEMM and the GEMV on every packed
    /// kernel family: both bit-identical, and within 1e-5·Σ|w·x| of a double reference over <paramref name="deq"/>
    /// and the same int8 activations.
    /// </summary>
    private static void AssertPackedRowsMatch(GgmlType type, byte[] bytes, float[] deq, int rows, int cols)
    {
        const int tokens = 6;
        var x = Random(tokens * cols, 10);
        var gemm = new float[tokens * rows];
        var gemv = new float[rows];
        using var qa = new QuantizedActivations(cols, tokens);
        using var mm = new Matmul();
        fixed (byte* b = bytes)
        fixed (float* xp = x, yp = gemm, vp = gemv)
        {
            var plain = new WeightMatrix(type, b, rows, cols);
            var packedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)QuantGemm.PackedBytes(plain), 64);
            try
            {
                QuantGemm.PackAll(plain, packedMem);
                var m = plain.WithPacked(packedMem);
                Assert.True(m.UsesInt8);
                qa.Quantize(xp, tokens);
                foreach (var path in Paths.Where(p => p != KernelPath.Scalar))
                for (int t = 0; t < tokens; t++)
                {
                    if (path == KernelPath.Best) { if (t == 0) mm.Gemm(xp, tokens, m, yp, rows, qa); Matmul.Gemv(xp + t * cols, qa.Row(t), m, vp); }
                    else { if (t == 0) QuantGemm.Run(qa, tokens, m, yp, rows, path); QuantGemm.PackedRows(m, 0, rows, qa.Row(t), vp, path); }
                    var q = qa.Row(t);
                    for (int r = 0; r < rows; r++)
                    {
                        Assert.Equal(BitConverter.SingleToUInt32Bits(gemm[t * rows + r]), BitConverter.SingleToUInt32Bits(gemv[r]));
                        double same = 0, mag = 0;
                        for (int i = 0; i < cols; i++) { double p = deq[r * cols + i] * q.Qs[i] * (double)q.D[i / 32]; same += p; mag += Math.Abs(p); }
                        Assert.True(Math.Abs(gemv[r] - same) <= 1e-5 * mag, $"{type} {path} t {t} r {r}: {gemv[r]} vs {same}");
                    }
                }
            }
            finally { System.Runtime.InteropServices.NativeMemory.AlignedFree(packedMem); }
        }
    }

    // K-quant rows (random super-blocks; their decoding is pinned to ggml in SharpLM.Models.Tests): the engine's
    // vectorised dequantisation equals GgmlQuant bit for bit on every path, and the K-quant GEMV (rows
    // dequantised, then the f32 dot) equals a double reference.
    [Theory]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void KQuantRowsDequantiseBitExactlyAndDot(GgmlType type)
    {
        const int rows = 7, cols = 512;
        var bytes = SharpLM.Models.Formats.Gguf.SyntheticKQuant.Blocks(type, (long)rows * cols, new Random(12));
        var deq = new float[rows * cols];
        GgmlQuant.Dequantize(type, bytes, deq);
        var x = Random(cols, 13);
        var row = new float[cols];
        var y = new float[rows];
        fixed (byte* b = bytes)
        fixed (float* o = row, xp = x, yp = y)
        {
            var m = new WeightMatrix(type, b, rows, cols);
            foreach (var path in Paths)
                for (int r = 0; r < rows; r++)
                {
                    Dequant.Row(m, r, o, path);
                    for (int i = 0; i < cols; i++)
                        Assert.True(BitConverter.SingleToInt32Bits(deq[r * cols + i]) == BitConverter.SingleToInt32Bits(row[i]), $"{type} {path} row {r}[{i}]: {row[i]} vs {deq[r * cols + i]}");
                }
            RowDot.Rows(m, 0, rows, xp, default, yp);
            for (int r = 0; r < rows; r++)
            {
                double exact = 0, mag = 0;
                for (int i = 0; i < cols; i++) { double p = (double)deq[r * cols + i] * x[i]; exact += p; mag += Math.Abs(p); }
                Assert.True(Math.Abs(y[r] - exact) <= 1e-5 * mag, $"{type} row {r}: {y[r]} vs {exact}");
            }
        }
    }

    // K-quants packed for the int8 kernels (AVX-512 and AVX2 families): GEMM and GEMV on the packed rows are
    // bit-identical and equal a double reference over GgmlQuant's dequantisation (bit-exact with ggml) and the same int8 activations.
    [Theory]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    public void PackedKQuantMatchesTheDequantisedReference(GgmlType type)
    {
        Assert.True(QuantGemm.CanPack(type), "the CI machine (and its AVX2 rerun) packs K-quants");
        const int rows = 37, cols = 512;
        var bytes = SharpLM.Models.Formats.Gguf.SyntheticKQuant.Blocks(type, (long)rows * cols, new Random(14));
        var deq = new float[rows * cols];
        GgmlQuant.Dequantize(type, bytes, deq);
        AssertPackedRowsMatch(type, bytes, deq, rows, cols);
    }
}
