// safetensors: exact header layout, round trips of every dtype (I64/F64 narrowed on read), sharded
// checkpoints with an index, raw byte entries (no tensors), config.json, the fixtures of SharpLM.Tensors.Tests written by Python, and bad input.
using System.Buffers.Binary;
using System.Text;
using Xunit;
using SharpLM.Formats;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Tests.Formats;

public class SafetensorsTests
{
    [Fact]
    public void HeaderIsCompactSortedAndSpacePadded()
    {
        using var dir = new TempDir();
        var path = dir.File("a.safetensors");
        using var b = Tensor.FromArray([1f, 2], 2);
        using var a = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 2, 3);
        using var h = Tensor.FromArray([1f], 1).To(DType.F16);
        SafetensorsWriter.Write(path, [new("b", b), new("h", h), new("a", a)], new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[32,34]}}",
                     header.TrimEnd(' '));
        Assert.Equal(8 + n + 34, bytes.Length);
        Assert.False(File.Exists(path + ".tmp"));

        using var f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(["a", "b", "h"], f.Tensors.Select(t => t.Name));
        Assert.Equal([2, 3], f.Tensor("a").Shape);
        using var ra = f.Tensor("a").ToTensor();
        Assert.Equal(a.ToArray(), ra.ToArray());
        using var rh = f.Tensor("h").ToTensor();
        Assert.Equal(DType.F16, rh.DType);
        Assert.Equal([1f], rh.ToArray());
    }

    [Theory]
    [InlineData(DType.F32)]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    [InlineData(DType.I32)]
    public void EveryDTypeRoundTrips(DType dtype)
    {
        using var dir = new TempDir();
        var path = dir.File("t.safetensors");
        using var r = Tensor.Randn([3, 5, 2], new Generator(5), std: 50);
        using var t = r.To(dtype);
        using var scalar = Tensor.Scalar(3f).To(dtype);
        using var empty = Tensor.Empty([0, 4], dtype);
        SafetensorsWriter.Write(path, [new("t", t), new("s", scalar), new("e", empty)]);
        using var f = SafetensorsFile.Open(path);
        using var back = f.Tensor("t").ToTensor();
        Assert.Equal(dtype, back.DType);
        Assert.Equal(t.Shape.ToArray(), back.Shape.ToArray());
        Assert.Equal(t.ToArray(), back.ToArray());
        Assert.Empty(f.Tensor("s").Shape);
        Assert.Equal([3f], f.Tensor("s").ToTensor().ToArray());
        Assert.Equal([0, 4], f.Tensor("e").Shape);
        Assert.Empty(f.Metadata);
    }

    [Fact]
    public void I64AndF64AreNarrowed()
    {
        using var dir = new TempDir();
        var path = dir.File("w.safetensors");
        var data = new byte[8 * 3 + 8 * 2];
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(0), -5);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), int.MaxValue);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(16), 7);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(24), 0.1);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(32), -2.5);
        Raw(path, "{\"i\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[24,40]}}", data);
        using var f = SafetensorsFile.Open(path);
        using var i = f.Tensor("i").ToTensor();
        Assert.Equal(DType.I32, i.DType);
        Assert.Equal([-5, int.MaxValue, 7], i.ToInt32Array());
        using var d = f.Tensor("d").ToTensor();
        Assert.Equal(DType.F32, d.DType);
        Assert.Equal([0.1f, -2.5f], d.ToArray());

        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), 1L << 40);
        path = dir.File("w2.safetensors");
        Raw(path, "{\"i\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[24,40]}}", data);
        using var g = SafetensorsFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => g.Tensor("i").ToTensor());
        Assert.Contains("int32 range", e.Message);
        Assert.Contains("1099511627776", e.Message);
    }

    internal static void Raw(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)h.Length);
        fs.Write(len);
        fs.Write(h);
        fs.Write(data);
    }

    [Fact]
    public void ShardedCheckpointSplitsAndReadsBack()
    {
        using var dir = new TempDir();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < 5; i++) tensors.Add(new($"model.layers.{i}.w", Tensor.Randn([16, 16], new Generator((ulong)i))));   // 1 KiB each
        tensors.Add(new("model.big", Tensor.Randn([40, 16], new Generator(9))));                                                 // 2.5 KiB: alone
        var files = ShardedCheckpoint.Write(dir.Path, tensors, maxShardBytes: 2048);
        Assert.Equal(["model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors", "model-00003-of-00004.safetensors",
                      "model-00004-of-00004.safetensors", "model.safetensors.index.json"], files.Select(Path.GetFileName));
        var cfg = ConfigJson.Load(dir.File("model.safetensors.index.json"));
        Assert.Equal(5 * 1024 + 2560, cfg.GetProperty("metadata").GetProperty("total_size").GetInt64());
        Assert.Equal("model-00004-of-00004.safetensors", cfg.GetProperty("weight_map").GetProperty("model.big").GetString());

        using (var ck = ShardedCheckpoint.Open(dir.Path))
        {
            Assert.Equal(4, ck.Shards.Count);
            Assert.Equal(6, ck.Names.Count);
            foreach (var (name, t) in tensors) Assert.Equal(t.ToArray(), ck[name].ToTensor().ToArray());
            Assert.Throws<ModelFormatException>(() => ck["nope"]);
        }

        File.Delete(dir.File("model-00003-of-00004.safetensors"));
        var e = Assert.Throws<ModelFormatException>(() => ShardedCheckpoint.Open(dir.Path));
        Assert.Contains("model-00003-of-00004.safetensors", e.Message);
        Assert.Contains("missing", e.Message);
        foreach (var (_, t) in tensors) t.Dispose();
    }

    [Fact]
    public void SmallCheckpointIsOneFile()
    {
        using var dir = new TempDir();
        using var t = Tensor.Ones([4]);
        var files = ShardedCheckpoint.Write(dir.Path, [new("x", t)]);
        Assert.Equal(["model.safetensors"], files.Select(Path.GetFileName));
        using var ck = ShardedCheckpoint.Open(dir.Path);
        Assert.Equal([1f, 1, 1, 1], ck["x"].ToTensor().ToArray());
        Assert.Equal("pt", ck.Shards[0].Metadata["format"]);
    }

    [Fact]
    public void RawEntriesWriteWithoutTensors()
    {
        // The Formats writer alone: bytes in memory and a callback, the same layout as the tensor overloads.
        using var dir = new TempDir();
        byte[] f32 = [0, 0, 128, 63, 0, 0, 0, 64];                        // 1f, 2f
        new SafetensorsWriter { Metadata = new Dictionary<string, string> { ["format"] = "pt" } }
            .Add("h", "F16", [1], new byte[] { 0, 60 })                      // 1 as half
            .Add("a", "F32", [2], f32)
            .Add("c", "U8", [3], 3, s => s.Write([7, 8, 9]))
            .Write(dir.File("raw.safetensors"));
        using (var f = SafetensorsFile.Open(dir.File("raw.safetensors")))
        {
            Assert.Equal(["a", "h", "c"], f.Tensors.Select(t => t.Name));  // dtype size, then name
            Assert.Equal(f32, f.Tensor("a").Data.ToArray());
            Assert.Equal([7, 8, 9], f.Tensor("c").Data.ToArray());
            Assert.Equal([1f], f.Tensor("h").ToTensor().ToArray());
        }
        using var t = Tensor.FromArray([1f, 2], 2);
        SafetensorsWriter.Write(dir.File("tensor.safetensors"), [new("a", t)], new Dictionary<string, string> { ["format"] = "pt" });
        new SafetensorsWriter { Metadata = new Dictionary<string, string> { ["format"] = "pt" } }.Add("a", "F32", [2], f32).Write(dir.File("bytes.safetensors"));
        Assert.Equal(File.ReadAllBytes(dir.File("tensor.safetensors")), File.ReadAllBytes(dir.File("bytes.safetensors")));

        Assert.Throws<ArgumentException>(() => new SafetensorsWriter().Add("x", "F32", [3], f32));
        Assert.Throws<ArgumentException>(() => new SafetensorsWriter().Add("x", "Q8", [2], f32));
        var tooShort = new SafetensorsWriter().Add("x", "U8", [4], 4, s => s.Write([1, 2]));
        Assert.Throws<InvalidOperationException>(() => tooShort.Write(dir.File("short.safetensors")));
        Assert.False(File.Exists(dir.File("short.safetensors")));
        Assert.False(File.Exists(dir.File("short.safetensors.tmp")));
    }

    [Fact]
    public void ConfigJsonLoads()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64, \"rope_scaling\": null, \"architectures\": [\"LlamaForCausalLM\"]}");
        var d = ConfigJson.LoadDictionary(dir.Path);
        Assert.Equal("llama", d["model_type"].GetString());
        Assert.Equal(64, d["hidden_size"].GetInt32());
        File.WriteAllText(dir.File("config.json"), "{\"model_type\": ");
        Assert.Throws<ModelFormatException>(() => ConfigJson.Load(dir.Path));
    }

    [Fact]
    public void ReadsTensorsTestFixturesWrittenByPython()
    {
        var fixtures = Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "tests", "SharpLM.Tensors.Tests", "Fixtures");
        Assert.True(Directory.Exists(fixtures), $"missing {fixtures}");
        foreach (var file in Directory.GetFiles(fixtures, "*.safetensors"))
        {
            using var f = SafetensorsFile.Open(file);
            Assert.NotEmpty(f.Tensors);
            foreach (var t in f.Tensors)
                if (t.DTypeName is "F32" or "F16" or "BF16" or "I32" or "I64" or "F64")
                    using (var x = t.ToTensor()) Assert.Equal(t.Shape, x.Shape.ToArray());
        }
    }

    public static TheoryData<string, string, string> BadHeaders => new()
    {
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", "a", "data section" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "a", "12 bytes" },
        { "{\"a\":{\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]}}", "a", "known dtype" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "b", "contiguous" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "data", "covering all 8" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "a", "shape" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "a", "data_offsets" },
        { "{\"a\":1}", "a", "object" },
        { "[1,2]", "header", "JSON object" },
        { "{\"a\":", "header", "invalid JSON" },
        { "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "__metadata__.k", "string" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void BadHeadersNameTheItem(string header, string item, string detail)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.safetensors");
        Raw(path, header, new byte[8]);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path));
        Assert.Equal(item, e.Item);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(detail, e.Message);
    }

    [Fact]
    public void HeaderLengthLargerThanTheFile()
    {
        using var dir = new TempDir();
        var path = dir.File("h.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path));
        Assert.Contains("header length", e.Message);
        Assert.Contains("1000", e.Message);
        File.WriteAllBytes(path, new byte[3]);
        Assert.Contains("truncated", Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path)).Message);
        File.WriteAllBytes(path, []);
        Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path));
        Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(dir.File("absent.safetensors")));
    }
}
