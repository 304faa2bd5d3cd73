// GGUF: write → read round trips of every metadata value type (nested arrays included) and every writable
// tensor type, the on-disk layout (header, alignment), the real vocab-only files from llama.cpp, and bad input.
using Xunit;
using System.Buffers.Binary;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Tests.Formats;

public class GgufTests
{
    internal static GgufWriter AllMetadata() => new GgufWriter()
        .Add(GgufKeys.GeneralArchitecture, "llama")
        .Add("t.u8", GgufValue.UInt8(200)).Add("t.i8", GgufValue.Int8(-100))
        .Add("t.u16", GgufValue.UInt16(60000)).Add("t.i16", GgufValue.Int16(-30000))
        .Add("t.u32", GgufValue.UInt32(4_000_000_000)).Add("t.i32", GgufValue.Int32(-2_000_000_000))
        .Add("t.f32", GgufValue.Float32(1.5e-5f)).Add("t.bool", GgufValue.Bool(true))
        .Add("t.str", GgufValue.String("héllo ✓")).Add("t.u64", GgufValue.UInt64(ulong.MaxValue))
        .Add("t.i64", GgufValue.Int64(long.MinValue)).Add("t.f64", GgufValue.Float64(Math.PI))
        .Add("a.u8", GgufValue.Array(new byte[] { 1, 2, 255 })).Add("a.i8", GgufValue.Array(new sbyte[] { -1, 2 }))
        .Add("a.u16", GgufValue.Array(new ushort[] { 1, 65535 })).Add("a.i16", GgufValue.Array(new short[] { -5 }))
        .Add("a.u32", GgufValue.Array(new uint[] { 7, 8 })).Add("a.i32", GgufValue.Array(new[] { -7, 8 }))
        .Add("a.f32", GgufValue.Array(new[] { 0.25f, -1f })).Add("a.bool", GgufValue.Array(new[] { true, false, true }))
        .Add("a.str", GgufValue.Array(new[] { "a", "", "ü" })).Add("a.u64", GgufValue.Array(new ulong[] { 1UL << 40 }))
        .Add("a.i64", GgufValue.Array(new long[] { -(1L << 40) })).Add("a.f64", GgufValue.Array(new[] { 1e300 }))
        .Add("a.empty", GgufValue.Array(Array.Empty<string>()))
        .Add("a.nested", GgufValue.Array([GgufValue.Array(new[] { 1, 2 }), GgufValue.Array(new[] { "x" }),
            GgufValue.Array([GgufValue.Array(new[] { 3.5 })])]));

    [Fact]
    public void EveryMetadataTypeRoundTrips()
    {
        using var dir = new TempDir();
        var path = dir.File("meta.gguf");
        AllMetadata().Write(path);
        using var f = GgufFile.Open(path);
        Assert.Equal(3u, f.Version);
        Assert.Equal("llama", f.GetString(GgufKeys.GeneralArchitecture));
        Assert.Equal((byte)200, f.Get("t.u8").Value);
        Assert.Equal((sbyte)-100, f.Get("t.i8").Value);
        Assert.Equal((ushort)60000, f.Get("t.u16").Value);
        Assert.Equal((short)-30000, f.Get("t.i16").Value);
        Assert.Equal(4_000_000_000u, f.Get("t.u32").Value);
        Assert.Equal(-2_000_000_000, f.Get("t.i32").Value);
        Assert.Equal(1.5e-5f, f.Get("t.f32").Value);
        Assert.Equal(true, f.Get("t.bool").Value);
        Assert.Equal("héllo ✓", f.GetString("t.str"));
        Assert.Equal(ulong.MaxValue, f.Get("t.u64").Value);
        Assert.Equal(long.MinValue, f.GetInt64("t.i64"));
        Assert.Equal(Math.PI, f.GetDouble("t.f64"));
        Assert.Equal(new byte[] { 1, 2, 255 }, f.GetArray<byte>("a.u8"));
        Assert.Equal(new sbyte[] { -1, 2 }, f.GetArray<sbyte>("a.i8"));
        Assert.Equal(new ushort[] { 1, 65535 }, f.GetArray<ushort>("a.u16"));
        Assert.Equal(new short[] { -5 }, f.GetArray<short>("a.i16"));
        Assert.Equal(new uint[] { 7, 8 }, f.GetArray<uint>("a.u32"));
        Assert.Equal(new[] { -7, 8 }, f.GetArray<int>("a.i32"));
        Assert.Equal(new[] { 0.25f, -1f }, f.GetArray<float>("a.f32"));
        Assert.Equal(new[] { true, false, true }, f.GetArray<bool>("a.bool"));
        Assert.Equal(new[] { "a", "", "ü" }, f.GetArray<string>("a.str"));
        Assert.Equal(new ulong[] { 1UL << 40 }, f.GetArray<ulong>("a.u64"));
        Assert.Equal(new long[] { -(1L << 40) }, f.GetArray<long>("a.i64"));
        Assert.Equal(new[] { 1e300 }, f.GetArray<double>("a.f64"));
        Assert.Empty(f.GetArray<string>("a.empty"));
        var nested = f.GetArray<GgufValue>("a.nested");
        Assert.Equal(GgufValueType.Array, f.Get("a.nested").ElementType);
        Assert.Equal(new[] { 1, 2 }, nested[0].AsArray<int>());
        Assert.Equal(new[] { "x" }, nested[1].AsArray<string>());
        Assert.Equal(new[] { 3.5 }, nested[2].AsArray<GgufValue>()[0].AsArray<double>());
        Assert.Equal(27, f.Keys.Count);
        Assert.Equal("t.u8", f.Keys[1]); // file order kept
        var e = Assert.Throws<ModelFormatException>(() => f.GetString("t.u32"));
        Assert.Contains("t.u32", e.Message);
        Assert.Contains("expected string, found UInt32", e.Message);
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_1)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q5_1)]
    public void EveryTensorTypeRoundTrips(GgmlType type)
    {
        using var dir = new TempDir();
        var path = dir.File("t.gguf");
        using var w = Tensor.Randn([3, 64], new Generator(11));
        using var v = Tensor.Randn([32], new Generator(12));
        new GgufWriter().Add(GgufKeys.GeneralArchitecture, "test")
            .AddTensor("w", w, type).AddTensor("v", v, GgmlType.F32).Write(path);

        var expected = new byte[type.ByteSize(w.Numel)];
        GgmlQuant.Quantize(type, w.ToArray(), expected);
        var deq = new float[w.Numel];
        GgmlQuant.Dequantize(type, expected, deq);

        using var f = GgufFile.Open(path);
        var t = f.Tensor("w");
        Assert.Equal(type, t.Type);
        Assert.Equal([3, 64], t.Shape);
        Assert.Equal([64UL, 3UL], t.Ne);           // ggml order: ne[0] fastest
        Assert.Equal(expected.Length, t.ByteSize);
        Assert.True(expected.AsSpan().SequenceEqual(t.Data));
        Assert.Equal(0, (t.FileOffset - f.DataOffset) % 32);
        Assert.Equal(0, f.DataOffset % 32);
        using var d = t.Dequantize();
        Assert.Equal(deq, d.ToArray());
        if (type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16)
        {
            using var raw = t.ToTensor();
            Assert.Equal(type == GgmlType.F32 ? DType.F32 : type == GgmlType.F16 ? DType.F16 : DType.BF16, raw.DType);
            Assert.Equal(deq, raw.ToArray());
        }
        else Assert.Throws<ModelFormatException>(() => t.ToTensor());
        Assert.Equal(v.ToArray(), f.Tensor("v").Dequantize().ToArray());
        Assert.Throws<ModelFormatException>(() => f.Tensor("nope"));
    }

    [Fact]
    public void HeaderLayoutAndCustomAlignment()
    {
        using var dir = new TempDir();
        var path = dir.File("a.gguf");
        using var v = Tensor.FromArray([1f, 2, 3], 3);
        new GgufWriter { Alignment = 64 }.Add("k", GgufValue.UInt8(1)).AddTensor("a", v, GgmlType.F32).AddTensor("b", v, GgmlType.F32).Write(path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));  // tensors
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16))); // k + general.alignment
        Assert.False(File.Exists(path + ".tmp"));
        using var f = GgufFile.Open(path);
        Assert.Equal(64, f.Alignment);
        Assert.Equal(0, f.DataOffset % 64);
        Assert.Equal(64, f.Tensor("b").FileOffset - f.Tensor("a").FileOffset);
        Assert.Equal([1f, 2, 3], f.Tensor("b").Dequantize().ToArray());
    }

    [Fact]
    public void Version2IsAccepted()
    {
        using var dir = new TempDir();
        var path = dir.File("v2.gguf");
        AllMetadata().Write(path);
        var bytes = File.ReadAllBytes(path);
        bytes[4] = 2;
        File.WriteAllBytes(path, bytes);
        using var f = GgufFile.Open(path);
        Assert.Equal(2u, f.Version);
    }

    public static TheoryData<string, string, string, int> VocabFiles => new()
    {
        { "ggml-vocab-gpt-2.gguf", "gpt2", "gpt2", 50257 },
        { "ggml-vocab-llama-spm.gguf", "llama", "llama", 32000 },
        { "ggml-vocab-phi-3.gguf", "", "llama", 32064 },
        { "ggml-vocab-bert-bge.gguf", "bert", "bert", 30522 },
        { "ggml-vocab-baichuan.gguf", "", "", 0 },
        { "ggml-vocab-deepseek-coder.gguf", "", "gpt2", 0 },
        { "ggml-vocab-gpt-neox.gguf", "gptneox", "gpt2", 0 },
        { "ggml-vocab-mpt.gguf", "mpt", "gpt2", 0 },
    };

    [Theory]
    [MemberData(nameof(VocabFiles))]
    public void ReadsLlamaCppVocabFiles(string file, string arch, string tokenizerModel, int tokens)
    {
        var path = TestFiles.SharedData("tokenizers/gguf-vocab/" + file);
        using var f = GgufFile.Open(path);
        Assert.Equal(3u, f.Version);
        Assert.Empty(f.Tensors);
        var a = f.GetString(GgufKeys.GeneralArchitecture);
        if (arch.Length > 0) Assert.Equal(arch, a);
        var model = f.GetString(GgufKeys.TokenizerModel);
        if (tokenizerModel.Length > 0) Assert.Equal(tokenizerModel, model);
        var toks = f.GetArray<string>(GgufKeys.TokenizerTokens);
        if (tokens > 0) Assert.Equal(tokens, toks.Length);
        Assert.Equal(toks.Length, f.Get(GgufKeys.TokenizerTokenType).Count);
        Assert.True(f.GetInt64(GgufKeys.Arch(a, GgufKeys.BlockCountSuffix)) > 0);
    }

    [Fact]
    public void LlamaSpmVocabDetails()
    {
        var path = TestFiles.SharedData("tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf");
        using var f = GgufFile.Open(path);
        Assert.Equal("llama-spm", f.GetString(GgufKeys.GeneralName));
        Assert.Equal(4096, f.GetInt64(GgufKeys.LlamaEmbeddingLength));
        Assert.Equal(32, f.GetInt64(GgufKeys.LlamaBlockCount));
        Assert.Equal(32, f.GetInt64(GgufKeys.LlamaHeadCount));
        Assert.Equal(32, f.GetInt64(GgufKeys.LlamaHeadCountKv));
        Assert.Equal(11008, f.GetInt64(GgufKeys.LlamaFeedForwardLength));
        Assert.Equal(4096, f.GetInt64(GgufKeys.LlamaContextLength));
        Assert.Equal(1e-5, f.GetDouble(GgufKeys.LlamaRmsEpsilon), 1e-9);
        Assert.Equal(["<unk>", "<s>", "</s>"], f.GetArray<string>(GgufKeys.TokenizerTokens)[..3]);
        Assert.Equal(32000, f.GetArray<float>(GgufKeys.TokenizerScores).Length);
        Assert.Equal(1, f.GetInt64(GgufKeys.TokenizerBosId));
        Assert.Equal(2, f.GetInt64(GgufKeys.TokenizerEosId));
        Assert.True(f.Get(GgufKeys.TokenizerAddBos).AsBool());
    }

    [Fact]
    public void Gpt2VocabRewritesIdentically()
    {
        // Reading a real file and writing its metadata back gives the same bytes (it has no tensors).
        var path = TestFiles.SharedData("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf");
        using var dir = new TempDir();
        var copy = dir.File("copy.gguf");
        using (var f = GgufFile.Open(path))
        {
            var w = new GgufWriter();
            foreach (var k in f.Keys) w.Add(k, f.Get(k));
            w.Write(copy);
        }
        var a = File.ReadAllBytes(path);
        var b = File.ReadAllBytes(copy);
        Assert.Equal(a.Length, b.Length);
        Assert.True(a.AsSpan().SequenceEqual(b));
    }
}
