// GgmlQuant against worked blocks: hand-computed Q8_0/Q4_0 blocks, and every block of
// Fixtures/formats/ggml_quant_blocks.json (tests/oracles/ggml_quant_blocks.py, numpy re-implementation of
// ggml's reference C) compared byte for byte (quantise) and bit for bit (dequantise).
using Xunit;
using System.Text.Json;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using TensorConvert = SharpLM.Tensors.Cpu.Convert;

namespace SharpLM.Models.Tests.Formats;

public class GgmlQuantTests
{
    public static TheoryData<string> Types => new() { "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1" };

    [Theory]
    [MemberData(nameof(Types))]
    public void MatchesReferenceBlocks(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.Fixture("ggml_quant_blocks.json")));
        int n = 0;
        foreach (var c in doc.RootElement.GetProperty(typeName).EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            var x = TestFiles.Floats(c.GetProperty("x").GetString()!);
            var block = Convert.FromHexString(c.GetProperty("block").GetString()!);
            var y = TestFiles.Floats(c.GetProperty("y").GetString()!);

            var q = new byte[type.TypeSize()];
            GgmlQuant.Quantize(type, x, q);
            Assert.True(block.AsSpan().SequenceEqual(q), $"{typeName} {name}: expected {Convert.ToHexString(block)}, got {Convert.ToHexString(q)}");

            var back = new float[32];
            GgmlQuant.Dequantize(type, block, back);
            for (int i = 0; i < 32; i++)
                Assert.True(BitConverter.SingleToInt32Bits(y[i]) == BitConverter.SingleToInt32Bits(back[i]), $"{typeName} {name}[{i}]: expected {y[i]}, got {back[i]}");
            n++;
        }
        Assert.True(n >= 10);
    }

    [Fact]
    public void Q8_0_HandWorkedBlock()
    {
        // amax = 127 -> d = 1 (fp16 0x3C00), q = roundf(x): halves go away from zero.
        var x = new float[32];
        x[0] = 127; x[1] = -127; x[2] = 2.5f; x[3] = -3.5f; x[4] = 0.5f; x[5] = -0.49f;
        var b = new byte[34];
        GgmlQuant.Quantize(GgmlType.Q8_0, x, b);
        Assert.Equal(new byte[] { 0x00, 0x3C, 127, unchecked((byte)-127), 3, unchecked((byte)-4), 1, 0 }, b[..8]);
        Assert.All(b[8..], v => Assert.Equal(0, v));
        var y = new float[32];
        GgmlQuant.Dequantize(GgmlType.Q8_0, b, y);
        Assert.Equal([127f, -127f, 3f, -4f, 1f, 0f], y[..6]);
    }

    [Fact]
    public void Q4_0_HandWorkedBlock()
    {
        // Largest magnitude is -8 (kept with its sign) -> d = -8/-8 = 1; q = min(15, trunc(x + 8.5)).
        var x = new float[32];
        x[0] = -8; x[1] = 0.5f; x[2] = 7.4f; x[16] = -0.6f; x[17] = 3f;
        var b = new byte[18];
        GgmlQuant.Quantize(GgmlType.Q4_0, x, b);
        Assert.Equal(0x00, b[0]);
        Assert.Equal(0x3C, b[1]);
        // byte j = q[j] | q[j+16] << 4; zeros give q = 8.
        Assert.Equal((byte)(0 | 7 << 4), b[2]);   // q0 = trunc(0.5) = 0, q16 = trunc(7.9) = 7
        Assert.Equal((byte)(9 | 11 << 4), b[3]);  // q1 = trunc(9.0) = 9, q17 = trunc(11.5) = 11
        Assert.Equal((byte)(15 | 8 << 4), b[4]);  // q2 = min(15, trunc(15.9)) = 15
        var y = new float[32];
        GgmlQuant.Dequantize(GgmlType.Q4_0, b, y);
        Assert.Equal([-8f, 1f, 7f], y[..3]);
        Assert.Equal([-1f, 3f], y[16..18]);
    }

    [Theory]
    [InlineData(GgmlType.Q8_0, 0.01)]
    [InlineData(GgmlType.Q4_0, 0.2)]
    [InlineData(GgmlType.Q4_1, 0.1)]
    [InlineData(GgmlType.Q5_0, 0.1)]
    [InlineData(GgmlType.Q5_1, 0.05)]
    [InlineData(GgmlType.F16, 0.001)]
    [InlineData(GgmlType.BF16, 0.01)]
    public void RoundTripErrorIsBoundedByTheScale(GgmlType type, double relTol)
    {
        var rng = new Random(7);
        var x = new float[32 * 64];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var b = new byte[type.ByteSize(x.Length)];
        GgmlQuant.Quantize(type, x, b);
        var y = new float[x.Length];
        GgmlQuant.Dequantize(type, b, y);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= relTol, $"{type}[{i}]: {x[i]} -> {y[i]}");
    }

    [Fact]
    public void Bf16RoundsToNearestEven()
    {
        Assert.Equal(0x3F80, TensorConvert.FloatToBf16(1f));
        Assert.Equal(0x3F80, TensorConvert.FloatToBf16(BitConverter.UInt32BitsToSingle(0x3F808000))); // tie -> even
        Assert.Equal(0x3F82, TensorConvert.FloatToBf16(BitConverter.UInt32BitsToSingle(0x3F818000))); // tie -> even (up)
        Assert.True(float.IsNaN(TensorConvert.Bf16ToFloat(TensorConvert.FloatToBf16(float.NaN))));
    }

    [Fact]
    public void HalfConversionIsExactForEveryBitPattern()
    {
        for (int h = 0; h < 65536; h++)
        {
            float f = TensorConvert.HalfToFloat((ushort)h), want = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            if (float.IsNaN(want)) { Assert.True(float.IsNaN(f)); continue; }
            Assert.Equal(BitConverter.SingleToUInt32Bits(want), BitConverter.SingleToUInt32Bits(f));
            Assert.Equal((ushort)h, TensorConvert.FloatToHalf(f));
        }
        Assert.Equal(0x7C00, TensorConvert.FloatToHalf(float.PositiveInfinity));
        Assert.Equal(0x7C00, TensorConvert.FloatToHalf(70000f)); // overflow rounds to inf
        Assert.Equal(0x3C00, TensorConvert.FloatToHalf(BitConverter.UInt32BitsToSingle(0x3F801000))); // tie -> even
        Assert.True(float.IsNaN(TensorConvert.HalfToFloat(TensorConvert.FloatToHalf(float.NaN))));
    }

    // K-quants against ggml itself: Fixtures/formats/ggml_kquant_blocks.json holds rows quantised by llama.cpp's
    // ggml_quantize_chunk and dequantised by its to_float (tests/oracles/ggml_kquant_fixtures.py, through ctypes
    // on the node-llama-cpp prebuilt's libggml-base.so); our dequantisation must equal ggml's bit for bit.
    [Theory]
    [InlineData("Q4_K")]
    [InlineData("Q5_K")]
    [InlineData("Q6_K")]
    public void KQuantDequantisationEqualsGgml(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.Fixture("ggml_kquant_blocks.json")));
        var c = doc.RootElement.GetProperty(typeName);
        int n = c.GetProperty("values").GetInt32();
        Assert.Equal(type.TypeSize(), c.GetProperty("type_size").GetInt32());
        var blocks = Convert.FromHexString(c.GetProperty("blocks").GetString()!);
        var y = TestFiles.Floats(c.GetProperty("y").GetString()!);
        var x = TestFiles.Floats(c.GetProperty("x").GetString()!);
        Assert.Equal(n, y.Length);
        var back = new float[n];
        GgmlQuant.Dequantize(type, blocks, back);
        for (int i = 0; i < n; i++)
            Assert.True(BitConverter.SingleToInt32Bits(y[i]) == BitConverter.SingleToInt32Bits(back[i]), $"{typeName}[{i}]: ggml {y[i]}, ours {back[i]} (x = {x[i]})");
        Assert.Throws<NotSupportedException>(() => GgmlQuant.Quantize(type, x, new byte[blocks.Length])); // quantising to K types is not offered
    }
}
