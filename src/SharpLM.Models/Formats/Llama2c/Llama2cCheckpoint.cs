// Llama2cCheckpoint: Karpathy's llama2.c model files (export.py / run.c / runq.c), little-endian.
//   v0 (legacy): 7 × int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative
//       vocab_size means an untied classifier), then fp32: token_embedding, rms_att[L], wq[L], wk[L], wv[L],
//       wo[L], rms_ffn[L], w1[L], w2[L], w3[L], rms_final, freq_cis_real, freq_cis_imag (seq_len × head/2
//       each, skipped), [wcls].
//   v1: u32 magic 0x616b3432 ("ak42"), int32 version 1, the 7 ints, u8 shared_classifier, zeros to 256 bytes,
//       then fp32: rms_att[L], rms_ffn[L], rms_final, token_embedding, wq[L], wk[L], wv[L], wo[L], w1[L],
//       w2[L], w3[L], [wcls].
//   v2: as v1 plus int32 group_size after the flag; fp32 norms (rms_att[L], rms_ffn[L], rms_final), then each of
//       token_embedding, wq[L] … w3[L], [wcls] as int8 values followed by its fp32 group scales (x = q × s).
// Weights are PyTorch [out, in]; w1 = gate, w2 = down, w3 = up. llama2.c rotates adjacent pairs (Meta layout),
// so q/k rows are converted to the HF halves layout on read and back on write unless asked not to.
using System.Buffers.Binary;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors;
using SharpLM.Formats;

namespace SharpLM.Models.Formats.Llama2c;

/// <summary>Hyper-parameters from a llama2.c header.</summary>
public sealed record Llama2cConfig(int Dim, int HiddenDim, int Layers, int Heads, int KvHeads, int VocabSize, int SeqLen, bool SharedClassifier)
{
    /// <summary>Per-head dimension.</summary>
    public int HeadDim => Dim / Heads;

    /// <summary>Width of the k/v projections.</summary>
    public int KvDim => HeadDim * KvHeads;
}

/// <summary>A llama2.c checkpoint loaded into f32 tensors under Hugging Face LLaMA names.</summary>
public sealed class Llama2cCheckpoint : IDisposable
{
    /// <summary>"ak42" as a little-endian uint32.</summary>
    public const uint Magic = 0x616b3432;

    /// <summary>Header size of versions 1 and 2.</summary>
    public const int HeaderBytes = 256;

    /// <summary>The hyper-parameters.</summary>
    public Llama2cConfig Config { get; }

    /// <summary>File version: 0 (legacy), 1 (fp32) or 2 (int8 groups).</summary>
    public int Version { get; }

    /// <summary>Weights under HF names (model.embed_tokens.weight, model.layers.{i}.self_attn.q_proj.weight, …;
    /// lm_head.weight only when the classifier is untied).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    private readonly Dictionary<string, Tensor> _tensors;

    private Llama2cCheckpoint(Llama2cConfig config, int version, Dictionary<string, Tensor> tensors)
    {
        Config = config;
        Version = version;
        _tensors = tensors;
    }

    /// <summary>The weights in file order: (HF name, shape) for one kind across all layers, as the writers emit them.</summary>
    private static IEnumerable<(string Name, int[] Shape)> Group(Llama2cConfig c, string kind) => kind switch
    {
        "embed" => [("model.embed_tokens.weight", [c.VocabSize, c.Dim])],
        "final" => [("model.norm.weight", [c.Dim])],
        "cls" => c.SharedClassifier ? [] : [("lm_head.weight", [c.VocabSize, c.Dim])],
        _ => Enumerable.Range(0, c.Layers).Select(i => kind switch
        {
            "rms_att" => ($"model.layers.{i}.input_layernorm.weight", new[] { c.Dim }),
            "rms_ffn" => ($"model.layers.{i}.post_attention_layernorm.weight", new[] { c.Dim }),
            "wq" => ($"model.layers.{i}.self_attn.q_proj.weight", new[] { c.Dim, c.Dim }),
            "wk" => ($"model.layers.{i}.self_attn.k_proj.weight", new[] { c.KvDim, c.Dim }),
            "wv" => ($"model.layers.{i}.self_attn.v_proj.weight", new[] { c.KvDim, c.Dim }),
            "wo" => ($"model.layers.{i}.self_attn.o_proj.weight", new[] { c.Dim, c.Dim }),
            "w1" => ($"model.layers.{i}.mlp.gate_proj.weight", new[] { c.HiddenDim, c.Dim }),
            "w2" => ($"model.layers.{i}.mlp.down_proj.weight", new[] { c.Dim, c.HiddenDim }),
            "w3" => ($"model.layers.{i}.mlp.up_proj.weight", new[] { c.HiddenDim, c.Dim }),
            _ => throw new InvalidOperationException(kind),
        }),
    };

    private static readonly string[] OrderV0 = ["embed", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3", "final", "freqs", "cls"];
    private static readonly string[] OrderV1 = ["rms_att", "rms_ffn", "final", "embed", "wq", "wk", "wv", "wo", "w1", "w2", "w3", "cls"];
    private static readonly string[] NormsV2 = ["rms_att", "rms_ffn", "final"];
    private static readonly string[] QuantV2 = ["embed", "wq", "wk", "wv", "wo", "w1", "w2", "w3", "cls"];

    private static long Numel(int[] s) { long n = 1; foreach (var d in s) n = checked(n * d); return n; }

    /// <summary>Reads a v0, v1 or v2 file. With <paramref name="hfRopeLayout"/> q/k rows are permuted to the HF halves layout.</summary>
    public static unsafe Llama2cCheckpoint Read(string path, bool hfRopeLayout = true)
    {
        using var map = new MappedFile(path);
        var c = map.Cursor();
        uint first = c.U32("magic or dim");
        int version = 0;
        if (first == Magic)
        {
            version = c.I32("version");
            if (version is not (1 or 2)) throw ModelFormatException.Expected(path, "version", "1 or 2", version);
        }
        else c.Position = 0;
        int dim = c.I32("dim"), hidden = c.I32("hidden_dim"), layers = c.I32("n_layers"), heads = c.I32("n_heads"),
            kvHeads = c.I32("n_kv_heads"), vocab = c.I32("vocab_size"), seqLen = c.I32("seq_len");
        bool shared;
        int groupSize = 0;
        if (version == 0) { shared = vocab > 0; vocab = Math.Abs(vocab); }
        else
        {
            shared = c.U8("shared_classifier") != 0;
            if (version == 2) groupSize = c.I32("group_size");
            c.Position = HeaderBytes;
        }
        foreach (var (name, v) in new[] { ("dim", dim), ("hidden_dim", hidden), ("n_layers", layers), ("n_heads", heads), ("n_kv_heads", kvHeads), ("vocab_size", vocab), ("seq_len", seqLen) })
            if (v is <= 0 or > 1 << 24) throw ModelFormatException.Expected(path, name, "a positive size up to 2^24", v);
        if (dim % heads != 0 || heads % kvHeads != 0 || dim / heads % 2 != 0)
            throw ModelFormatException.Expected(path, "n_heads", $"dim divisible into heads of even size and n_heads divisible by n_kv_heads", $"dim {dim}, n_heads {heads}, n_kv_heads {kvHeads}");
        var cfg = new Llama2cConfig(dim, hidden, layers, heads, kvHeads, vocab, seqLen, shared);

        // Size check first: nothing is allocated unless the file holds exactly what the header promises.
        long expected;
        try { expected = (ExpectedSize(cfg, version, groupSize, c.Position, path)); }
        catch (OverflowException) { throw ModelFormatException.Expected(path, "header", "sizes whose byte count fits in int64", cfg); }
        if (expected != map.Length) throw ModelFormatException.Expected(path, "file size", $"{expected} bytes for {cfg} (version {version})", $"{map.Length} bytes");

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            if (version == 2)
            {
                foreach (var k in NormsV2) foreach (var (n, s) in Group(cfg, k)) tensors[n] = ReadF32(ref c, n, s);
                foreach (var k in QuantV2) foreach (var (n, s) in Group(cfg, k)) tensors[n] = ReadQ8(ref c, n, s, groupSize);
            }
            else
            {
                foreach (var k in version == 0 ? OrderV0 : OrderV1)
                {
                    if (k == "freqs") { c.Position += 2L * 4 * seqLen * (dim / heads / 2); continue; }
                    foreach (var (n, s) in Group(cfg, k)) tensors[n] = ReadF32(ref c, n, s);
                }
            }
            if (hfRopeLayout) Repermute(tensors, cfg, toHf: true);
            return new Llama2cCheckpoint(cfg, version, tensors);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    // Computed arithmetically (not by listing the tensors) so a corrupt layer count costs nothing.
    private static long ExpectedSize(Llama2cConfig c, int version, int groupSize, long headerEnd, string path)
    {
        checked
        {
            long dim = c.Dim, kv = c.KvDim, hidden = c.HiddenDim, vocab = c.VocabSize, layers = c.Layers;
            long embed = vocab * dim, cls = c.SharedClassifier ? 0 : embed;
            long norms = 2 * layers * dim + dim;
            long[] perLayer = [dim * dim, kv * dim, kv * dim, dim * dim, hidden * dim, dim * hidden, hidden * dim];
            if (version != 2)
            {
                long floats = embed + cls + norms + layers * perLayer.Sum() + (version == 0 ? 2L * c.SeqLen * (c.HeadDim / 2) : 0);
                return headerEnd + 4 * floats;
            }
            if (groupSize <= 0) throw ModelFormatException.Expected(path, "group_size", "a positive int", groupSize);
            foreach (var n in new[] { embed, dim * dim, kv * dim, hidden * dim })
                if (n % groupSize != 0) throw ModelFormatException.Expected(path, "group_size", $"a divisor of every weight's size ({n})", groupSize);
            long q = embed + cls + layers * perLayer.Sum();
            return headerEnd + 4 * norms + q + 4 * (q / groupSize);
        }
    }

    private static unsafe Tensor ReadF32(ref ByteCursor c, string name, int[] shape)
    {
        long bytes = 4 * Numel(shape);
        c.Need(bytes, name);
        var t = Tensor.Empty(shape, DType.F32);
        CopyOut(ref c, (byte*)t.RawPointer, bytes, name);
        return t;
    }

    private static unsafe void CopyOut(ref ByteCursor c, byte* dst, long bytes, string name)
    {
        for (long o = 0; o < bytes; o += 1 << 30)
        {
            int n = (int)Math.Min(1 << 30, bytes - o);
            c.Bytes(n, name).CopyTo(new Span<byte>(dst + o, n));
        }
    }

    private static unsafe Tensor ReadQ8(ref ByteCursor c, string name, int[] shape, int groupSize)
    {
        long n = Numel(shape);
        c.Need(n + 4 * (n / groupSize), name);
        var q = new byte[n];
        CopyOutArray(ref c, q, name);
        var t = Tensor.Empty(shape, DType.F32);
        var y = (float*)t.RawPointer;
        for (long g = 0; g < n / groupSize; g++)
        {
            float s = c.F32(name + " scale");
            for (int j = 0; j < groupSize; j++) y[g * groupSize + j] = (sbyte)q[g * groupSize + j] * s;
        }
        return t;
    }

    private static unsafe void CopyOutArray(ref ByteCursor c, byte[] dst, string name)
    {
        fixed (byte* p = dst) CopyOut(ref c, p, dst.Length, name);
    }

    private static void Repermute(Dictionary<string, Tensor> tensors, Llama2cConfig c, bool toHf)
    {
        for (int i = 0; i < c.Layers; i++)
        {
            foreach (var (proj, heads) in new[] { ("q_proj", c.Heads), ("k_proj", c.KvHeads) })
            {
                var key = $"model.layers.{i}.self_attn.{proj}.weight";
                var old = tensors[key];
                tensors[key] = toHf ? LlamaRopePermute.FromGguf(old, heads) : LlamaRopePermute.ToGguf(old, heads);
                old.Dispose();
            }
        }
    }

    /// <summary>Writes a version-1 file from HF-named tensors (any float dtype; written as fp32). With
    /// <paramref name="hfRopeLayout"/> the q/k weights are taken to be in the HF halves layout and permuted to
    /// llama2.c's pairs layout. lm_head.weight is written only when <see cref="Llama2cConfig.SharedClassifier"/> is false.</summary>
    public static unsafe void WriteV1(string path, Llama2cConfig config, IReadOnlyDictionary<string, Tensor> tensors, bool hfRopeLayout = true)
    {
        var work = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var owned = new List<Tensor>();
        try
        {
            foreach (var k in OrderV1)
                foreach (var (n, s) in Group(config, k))
                {
                    if (!tensors.TryGetValue(n, out var t)) throw new ArgumentException($"Llama2cCheckpoint.WriteV1: missing tensor '{n}'.");
                    if (!t.Shape.SequenceEqual(s)) throw new ArgumentException($"Llama2cCheckpoint.WriteV1: '{n}' has shape [{string.Join(", ", t.Shape.ToArray())}], expected [{string.Join(", ", s)}].");
                    var f = t.To(DType.F32);
                    owned.Add(f);
                    work[n] = f;
                }
            if (hfRopeLayout)
            {
                Repermute(work, config, toHf: false);
                owned.AddRange(work.Values);
            }
            AtomicFile.Write(path, stream =>
            {
                var header = new byte[HeaderBytes];
                var h = header.AsSpan();
                BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
                BinaryPrimitives.WriteInt32LittleEndian(h[4..], 1);
                int[] ints = [config.Dim, config.HiddenDim, config.Layers, config.Heads, config.KvHeads, config.VocabSize, config.SeqLen];
                for (int i = 0; i < ints.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(h[(8 + 4 * i)..], ints[i]);
                header[36] = (byte)(config.SharedClassifier ? 1 : 0);
                stream.Write(header);
                foreach (var k in OrderV1)
                    foreach (var (n, _) in Group(config, k))
                    {
                        var t = work[n];
                        long bytes = t.Numel * 4;
                        for (long o = 0; o < bytes; o += 1 << 30)
                            stream.Write(new ReadOnlySpan<byte>((byte*)t.RawPointer + o, (int)Math.Min(1 << 30, bytes - o)));
                    }
            });
        }
        finally
        {
            foreach (var t in owned.Distinct()) t.Dispose();
        }
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
    }
}
