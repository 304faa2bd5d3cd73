// GGUF bad input: each corruption throws ModelFormatException naming the file, the item and expected vs found.
using System.Buffers.Binary;
using Xunit;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors;

namespace SharpLM.Models.Tests.Formats;

public class GgufBadInputTests
{
    // No metadata, one F32 tensor "w" [32]. Layout: header 0..24, name len 24, "w" 32, n_dims 33, ne[0] 37,
    // type 45, offset 49, padding 57..64, data 64..192.
    private static byte[] OneTensor(TempDir dir)
    {
        var p = dir.File("one.gguf");
        using var t = Tensor.Ones([32]);
        new GgufWriter().AddTensor("w", t, GgmlType.F32).Write(p);
        var b = File.ReadAllBytes(p);
        Assert.Equal(192, b.Length);
        return b;
    }

    private static ModelFormatException Fails(TempDir dir, byte[] bytes)
    {
        var p = dir.File(Guid.NewGuid().ToString("N") + ".gguf");
        File.WriteAllBytes(p, bytes);
        var e = Assert.Throws<ModelFormatException>(() => GgufFile.Open(p).Dispose());
        Assert.Equal(p, e.FilePath);
        Assert.StartsWith(p + ": ", e.Message);
        return e;
    }

    [Fact]
    public void WrongMagic()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        b[0] = (byte)'X';
        var e = Fails(dir, b);
        Assert.Equal("magic", e.Item);
        Assert.Contains("expected \"GGUF\"", e.Message);
    }

    [Fact]
    public void UnsupportedVersion()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        b[4] = 1;
        Assert.Contains("expected 2 or 3, found 1", Fails(dir, b).Message);
    }

    [Fact]
    public void UnknownGgmlType()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(45), 99);
        var e = Fails(dir, b);
        Assert.Equal("w", e.Item);
        Assert.Contains("expected a known ggml type id, found 99", e.Message);
    }

    [Fact]
    public void OffsetPastTheEnd()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(49), 1024);
        var e = Fails(dir, b);
        Assert.Equal("w", e.Item);
        Assert.Contains("past the end", e.Message);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(49), 4);
        Assert.Contains("multiple of 32", Fails(dir, b).Message);
    }

    [Fact]
    public void BadDims()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(33), 5);
        Assert.Contains("n_dims in 1..4", Fails(dir, b).Message);
        b = OneTensor(dir);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(37), 1UL << 40);
        Assert.Contains("ne[0]", Fails(dir, b).Message);
        b = OneTensor(dir);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(45), (uint)GgmlType.Q8_0); // 32 values of Q8_0 = 34 bytes: fits, fine
        using (var ok = GgufFile.Open(Write(dir, b))) Assert.Equal(34, ok.Tensor("w").ByteSize);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(37), 48);
        Assert.Contains("block size 32", Fails(dir, b).Message);
    }

    private static string Write(TempDir dir, byte[] b)
    {
        var p = dir.File(Guid.NewGuid().ToString("N") + ".gguf");
        File.WriteAllBytes(p, b);
        return p;
    }

    [Fact]
    public void TruncatedEverywhere()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        foreach (int len in new[] { 0, 3, 4, 10, 23, 30, 40, 50, 56, 100 })
        {
            var e = Fails(dir, b[..len]);
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("past the end") || e.Message.Contains("remaining"), e.Message);
        }
    }

    [Fact]
    public void HugeCountsAreRejectedBeforeAllocating()
    {
        using var dir = new TempDir();
        var b = OneTensor(dir);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), ulong.MaxValue);
        Assert.Contains("tensor_count", Fails(dir, b).Message);
        b = OneTensor(dir);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), 1UL << 60);
        Assert.Contains("metadata_kv_count", Fails(dir, b).Message);
        b = OneTensor(dir);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), 1UL << 62); // name length
        Assert.Contains("string of", Fails(dir, b).Message);
    }

    [Fact]
    public void UnknownValueTypeAndHugeArray()
    {
        using var dir = new TempDir();
        var p = dir.File("kv.gguf");
        new GgufWriter().Add("k", GgufValue.Array(new[] { 1, 2, 3 })).Write(p);
        var b = File.ReadAllBytes(p);
        // header 24, key len 8 + "k" -> type at 33, element type 37, count 41
        var bad = (byte[])b.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(33), 13);
        var e = Fails(dir, bad);
        Assert.Equal("k", e.Item);
        Assert.Contains("value type id 0..12, found 13", e.Message);
        bad = (byte[])b.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bad.AsSpan(41), 1UL << 50);
        Assert.Contains("Int32 elements", Fails(dir, bad).Message);
        bad = (byte[])b.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(37), 40);
        Assert.Contains("array element type", Fails(dir, bad).Message);
    }
}
