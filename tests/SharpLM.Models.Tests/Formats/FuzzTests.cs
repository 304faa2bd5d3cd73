// Fuzzing: valid small GGUF, safetensors and llama2.c files with seeded random truncations, bit flips and byte
// overwrites. Every read must either succeed (and then decode every tensor) or throw ModelFormatException —
// never another exception type — and parsing must not allocate out of proportion to the file size.
using System.Buffers.Binary;
using Xunit;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Formats.Llama2c;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Tests.Formats;

public class FuzzTests
{
    private const int Mutations = 2000;

    private static byte[] ValidGguf(TempDir dir)
    {
        var p = dir.File("valid.gguf");
        using var a = Tensor.Randn([2, 32], new Generator(1));
        using var b = Tensor.Randn([64], new Generator(2));
        using var c = Tensor.Randn([1, 2, 32], new Generator(3));
        GgufTests.AllMetadata().Add(GgufKeys.TokenizerTokens, GgufValue.Array(new[] { "<s>", "a", "bc" }))
            .AddTensor("a", a, GgmlType.Q8_0).AddTensor("b", b, GgmlType.F16).AddTensor("c", c, GgmlType.Q4_0)
            .AddTensor("d", b, GgmlType.Q5_1).Write(p);
        return File.ReadAllBytes(p);
    }

    private static byte[] ValidSafetensors(TempDir dir)
    {
        var p = dir.File("valid.safetensors");
        using var a = Tensor.Randn([3, 4], new Generator(4));
        using var h = a.To(DType.BF16);
        using var i = Tensor.FromArray([1, 2, 3], 3);
        SafetensorsWriter.Write(p, [new("a", a), new("h", h), new("i", i)], new Dictionary<string, string> { ["format"] = "pt" });
        return File.ReadAllBytes(p);
    }

    private static byte[] ValidLlama2c(TempDir dir)
    {
        var cfg = new Llama2cConfig(4, 8, 1, 2, 1, 6, 3, true);
        var p = dir.File("valid.bin");
        var t = new Dictionary<string, Tensor>();
        ulong seed = 10;
        void Add(string n, params int[] s) => t[n] = Tensor.Randn(s, new Generator(seed++));
        Add("model.embed_tokens.weight", 6, 4); Add("model.norm.weight", 4);
        Add("model.layers.0.input_layernorm.weight", 4); Add("model.layers.0.post_attention_layernorm.weight", 4);
        Add("model.layers.0.self_attn.q_proj.weight", 4, 4); Add("model.layers.0.self_attn.k_proj.weight", 2, 4);
        Add("model.layers.0.self_attn.v_proj.weight", 2, 4); Add("model.layers.0.self_attn.o_proj.weight", 4, 4);
        Add("model.layers.0.mlp.gate_proj.weight", 8, 4); Add("model.layers.0.mlp.down_proj.weight", 4, 8);
        Add("model.layers.0.mlp.up_proj.weight", 8, 4);
        Llama2cCheckpoint.WriteV1(p, cfg, t);
        foreach (var x in t.Values) x.Dispose();
        return File.ReadAllBytes(p);
    }

    private static void ReadGguf(string p)
    {
        using var f = GgufFile.Open(p);
        foreach (var t in f.Tensors)
            if (t.Type.CanDequantize()) t.Dequantize().Dispose();
        foreach (var k in f.Keys) _ = f.Get(k).Describe();
    }

    private static void ReadSafetensors(string p)
    {
        using var f = SafetensorsFile.Open(p);
        foreach (var t in f.Tensors)
            if (t.DTypeName is "F32" or "F16" or "BF16" or "I32" or "I64" or "F64") t.ToTensor().Dispose();
    }

    private static void ReadLlama2c(string p) => Llama2cCheckpoint.Read(p).Dispose();

    public static TheoryData<string> Formats => new() { "gguf", "safetensors", "llama2c" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void MutatedFilesFailOnlyWithModelFormatException(string format)
    {
        using var dir = new TempDir();
        var (valid, read) = format switch
        {
            "gguf" => (ValidGguf(dir), (Action<string>)ReadGguf),
            "safetensors" => (ValidSafetensors(dir), ReadSafetensors),
            _ => (ValidLlama2c(dir), ReadLlama2c),
        };
        read(Path.Combine(dir.Path, format switch { "gguf" => "valid.gguf", "safetensors" => "valid.safetensors", _ => "valid.bin" }));

        var rng = new Random(1234);
        var path = dir.File("fuzz.bin");
        int ok = 0, rejected = 0;
        for (int iter = 0; iter < Mutations; iter++)
        {
            var b = Mutate(valid, rng);
            File.WriteAllBytes(path, b);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(path);
                ok++;
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith(path + ": ", e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{format} mutation #{iter}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64L * b.Length + (1 << 20), $"{format} mutation #{iter}: parsing a {b.Length}-byte file allocated {allocated} bytes");
        }
        Assert.True(rejected > Mutations / 10, $"only {rejected} of {Mutations} mutations rejected");
        Assert.True(ok + rejected == Mutations);
    }

    private static byte[] Mutate(byte[] valid, Random rng)
    {
        var b = (byte[])valid.Clone();
        switch (rng.Next(4))
        {
            case 0: // truncation
                return b[..rng.Next(b.Length)];
            case 1: // bit flips anywhere
                for (int i = rng.Next(1, 9); i > 0; i--) { int p = rng.Next(b.Length); b[p] ^= (byte)(1 << rng.Next(8)); }
                return b;
            case 2: // bit flips in the first 512 bytes (headers, counts, lengths, types, offsets)
                for (int i = rng.Next(1, 5); i > 0; i--) { int p = rng.Next(Math.Min(512, b.Length)); b[p] ^= (byte)(1 << rng.Next(8)); }
                return b;
            default: // an extreme 8-byte value written over a random header position
                int at = rng.Next(Math.Min(512, b.Length - 8));
                ulong v = rng.Next(4) switch { 0 => ulong.MaxValue, 1 => 1UL << rng.Next(64), 2 => 0, _ => (ulong)rng.NextInt64() };
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);
                return rng.Next(4) == 0 ? b[..rng.Next(b.Length)] : b;
        }
    }
}
