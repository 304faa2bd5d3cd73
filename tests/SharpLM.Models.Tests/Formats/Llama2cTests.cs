// llama2.c checkpoints: v1 write → read round trip, v0 and v2 files built byte by byte in export.py's order,
// the q/k layout conversion, and bad headers.
using System.Buffers.Binary;
using Xunit;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Formats.Llama2c;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Tests.Formats;

public class Llama2cTests
{
    // dim 8, hidden 12, 2 layers, 2 heads (head dim 4), 1 kv head, vocab 16, seq 5
    private static Llama2cConfig Cfg(bool shared) => new(8, 12, 2, 2, 1, 16, 5, shared);

    private static Dictionary<string, Tensor> HfTensors(Llama2cConfig c)
    {
        ulong seed = 1;
        Tensor R(params int[] s) => Tensor.Randn(s, new Generator(seed++));
        var d = new Dictionary<string, Tensor> { ["model.embed_tokens.weight"] = R(c.VocabSize, c.Dim), ["model.norm.weight"] = R(c.Dim) };
        if (!c.SharedClassifier) d["lm_head.weight"] = R(c.VocabSize, c.Dim);
        for (int i = 0; i < c.Layers; i++)
        {
            d[$"model.layers.{i}.input_layernorm.weight"] = R(c.Dim);
            d[$"model.layers.{i}.post_attention_layernorm.weight"] = R(c.Dim);
            d[$"model.layers.{i}.self_attn.q_proj.weight"] = R(c.Dim, c.Dim);
            d[$"model.layers.{i}.self_attn.k_proj.weight"] = R(c.KvDim, c.Dim);
            d[$"model.layers.{i}.self_attn.v_proj.weight"] = R(c.KvDim, c.Dim);
            d[$"model.layers.{i}.self_attn.o_proj.weight"] = R(c.Dim, c.Dim);
            d[$"model.layers.{i}.mlp.gate_proj.weight"] = R(c.HiddenDim, c.Dim);
            d[$"model.layers.{i}.mlp.down_proj.weight"] = R(c.Dim, c.HiddenDim);
            d[$"model.layers.{i}.mlp.up_proj.weight"] = R(c.HiddenDim, c.Dim);
        }
        return d;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void V1RoundTrips(bool shared)
    {
        using var dir = new TempDir();
        var path = dir.File("m.bin");
        var cfg = Cfg(shared);
        var hf = HfTensors(cfg);
        Llama2cCheckpoint.WriteV1(path, cfg, hf);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(Llama2cCheckpoint.Magic, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(shared ? 1 : 0, bytes[36]);
        // First weight after the header is layer 0's rms_att.
        Assert.Equal(hf["model.layers.0.input_layernorm.weight"].ToArray()[0], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(256)));

        using (var ck = Llama2cCheckpoint.Read(path))
        {
            Assert.Equal(1, ck.Version);
            Assert.Equal(cfg, ck.Config);
            Assert.Equal(hf.Count, ck.Tensors.Count);
            foreach (var (n, t) in hf) Assert.Equal(t.ToArray(), ck.Tensors[n].ToArray());
        }
        using (var raw = Llama2cCheckpoint.Read(path, hfRopeLayout: false))
        {
            // On disk q/k are in the interleaved (Meta/GGUF) layout.
            using var q = LlamaRopePermute.ToGguf(hf["model.layers.1.self_attn.q_proj.weight"], cfg.Heads);
            Assert.Equal(q.ToArray(), raw.Tensors["model.layers.1.self_attn.q_proj.weight"].ToArray());
            using var k = LlamaRopePermute.ToGguf(hf["model.layers.1.self_attn.k_proj.weight"], cfg.KvHeads);
            Assert.Equal(k.ToArray(), raw.Tensors["model.layers.1.self_attn.k_proj.weight"].ToArray());
        }
        foreach (var t in hf.Values) t.Dispose();
    }

    private static void Put(List<byte> b, Tensor t) { foreach (var v in t.ToArray()) Put(b, v); }
    private static void Put(List<byte> b, float v) { var x = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(x, v); b.AddRange(x); }
    private static void Put(List<byte> b, int v) { var x = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(x, v); b.AddRange(x); }

    private static void Layers(List<byte> b, Dictionary<string, Tensor> hf, int layers, string suffix)
    {
        for (int i = 0; i < layers; i++) Put(b, hf[$"model.layers.{i}.{suffix}"]);
    }

    [Fact]
    public void ReadsLegacyV0WithUntiedClassifier()
    {
        using var dir = new TempDir();
        var cfg = Cfg(false);
        var hf = HfTensors(cfg);
        var b = new List<byte>();
        foreach (var v in new[] { cfg.Dim, cfg.HiddenDim, cfg.Layers, cfg.Heads, cfg.KvHeads, -cfg.VocabSize, cfg.SeqLen }) Put(b, v);
        Put(b, hf["model.embed_tokens.weight"]);
        foreach (var s in new[] { "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                                  "self_attn.o_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.down_proj.weight", "mlp.up_proj.weight" })
            Layers(b, hf, cfg.Layers, s);
        Put(b, hf["model.norm.weight"]);
        for (int i = 0; i < 2 * cfg.SeqLen * cfg.HeadDim / 2; i++) Put(b, 9f); // freq_cis_real/imag
        Put(b, hf["lm_head.weight"]);
        var path = dir.File("v0.bin");
        File.WriteAllBytes(path, b.ToArray());
        using var ck = Llama2cCheckpoint.Read(path, hfRopeLayout: false);
        Assert.Equal(0, ck.Version);
        Assert.Equal(cfg, ck.Config);
        foreach (var (n, t) in hf) Assert.Equal(t.ToArray(), ck.Tensors[n].ToArray());

        File.WriteAllBytes(path, b.Take(b.Count - 4).ToArray());
        var e = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Read(path));
        Assert.Contains("file size", e.Message);
        foreach (var t in hf.Values) t.Dispose();
    }

    [Fact]
    public void ReadsV2Int8Groups()
    {
        using var dir = new TempDir();
        var cfg = Cfg(true);
        const int gs = 4;
        var b = new List<byte>();
        Put(b, unchecked((int)Llama2cCheckpoint.Magic)); Put(b, 2);
        foreach (var v in new[] { cfg.Dim, cfg.HiddenDim, cfg.Layers, cfg.Heads, cfg.KvHeads, cfg.VocabSize, cfg.SeqLen }) Put(b, v);
        b.Add(1); Put(b, gs);
        while (b.Count < 256) b.Add(0);
        int norms = 2 * cfg.Layers * cfg.Dim + cfg.Dim;
        for (int i = 0; i < norms; i++) Put(b, 1f + i);
        // Quantised tensors in order: embed, wq[L], wk[L], wv[L], wo[L], w1[L], w2[L], w3[L]; q then scales.
        var sizes = new List<int> { cfg.VocabSize * cfg.Dim };
        foreach (var n in new[] { cfg.Dim * cfg.Dim, cfg.KvDim * cfg.Dim, cfg.KvDim * cfg.Dim, cfg.Dim * cfg.Dim, cfg.HiddenDim * cfg.Dim, cfg.Dim * cfg.HiddenDim, cfg.HiddenDim * cfg.Dim })
            for (int l = 0; l < cfg.Layers; l++) sizes.Add(n);
        for (int t = 0; t < sizes.Count; t++)
        {
            for (int i = 0; i < sizes[t]; i++) b.Add(unchecked((byte)(sbyte)(i % 255 - 127)));
            for (int g = 0; g < sizes[t] / gs; g++) Put(b, 0.5f * (g + 1));
        }
        var path = dir.File("v2.bin");
        File.WriteAllBytes(path, b.ToArray());
        using var ck = Llama2cCheckpoint.Read(path, hfRopeLayout: false);
        Assert.Equal(2, ck.Version);
        Assert.Equal(1f, ck.Tensors["model.layers.0.input_layernorm.weight"].ToArray()[0]);
        Assert.Equal(1f + 2 * cfg.Layers * cfg.Dim, ck.Tensors["model.norm.weight"].ToArray()[0]);
        var emb = ck.Tensors["model.embed_tokens.weight"].ToArray();
        for (int i = 0; i < emb.Length; i++) Assert.Equal((i % 255 - 127) * 0.5f * (i / gs + 1), emb[i]);
        Assert.False(ck.Tensors.ContainsKey("lm_head.weight"));
    }

    [Fact]
    public void BadHeaders()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.bin");
        var b = new byte[256];
        BinaryPrimitives.WriteUInt32LittleEndian(b, Llama2cCheckpoint.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), 7);
        File.WriteAllBytes(path, b);
        var e = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Read(path));
        Assert.Equal("version", e.Item);
        Assert.Contains("found 7", e.Message);
        File.WriteAllBytes(path, new byte[10]);
        Assert.Contains("truncated", Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Read(path)).Message);
        var z = new byte[28];
        BinaryPrimitives.WriteInt32LittleEndian(z, 8);
        File.WriteAllBytes(path, z);
        Assert.Equal("hidden_dim", Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Read(path)).Item);
    }
}
