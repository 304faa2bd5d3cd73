// GgufModelFile: DecoderModel ↔ GGUF for every family in the registry. The family comes from
// general.architecture (DecoderFamilies.ForGgufArch); its GgufLayout says how HF names map to GGUF names, and
// which of llama.cpp's conversions apply: q/k rows (and biases) permuted to the interleaved-pairs RoPE layout,
// GPT-2's Conv1D weights transposed, Baichuan's fused W_pack split into attn_q/k/v. Every "{arch}.*" key must be
// understood (GgufConfigReader.RejectUnread); every tensor must have a HF name.
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Families;
using SharpLM.Models.Families.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Models.Checkpoints;

internal static class GgufModelFile
{
    /// <summary>The family of an open GGUF file, or an error naming general.architecture.</summary>
    public static DecoderFamily Family(GgufFile g)
    {
        string arch = g.GetString(GgufKeys.GeneralArchitecture);
        return DecoderFamilies.ForGgufArch(arch)
            ?? throw new ModelFormatException(g.Path, GgufKeys.GeneralArchitecture, $"architecture '{arch}' is not supported (expected one of {DecoderFamilies.KnownGgufArchs})");
    }

    /// <summary>Hyper-parameters from the metadata (vocabulary size from the embedding, tied head when output.weight is absent).</summary>
    public static DecoderConfig ReadConfig(GgufFile g)
    {
        if (g.TryGet("split.count") is { } split && split.AsInt64() > 1)
            throw ModelFormatException.Expected(g.Path, "split.count", "1 (split GGUF files are not supported; merge them with llama-gguf-split --merge)", split.AsInt64());
        var family = Family(g);
        var r = new GgufConfigReader(g, family.Gguf.Arch);
        var embd = g.TryGetTensor("token_embd.weight") ?? throw new ModelFormatException(g.Path, "token_embd.weight", "missing token embedding");
        var c = family.Gguf.ReadConfig(r) with { VocabSize = embd.Shape[0], TiedEmbeddings = g.TryGetTensor("output.weight") is null };
        r.RejectUnread();
        return c.Validate();
    }

    public static DecoderModel Load(string path)
    {
        using var g = GgufFile.Open(path);
        var config = ReadConfig(g);
        var layout = Family(g).Gguf;
        var names = DecoderNames.For(config.Family);
        var model = new DecoderModel(config);
        try
        {
            using var scope = TensorScope.Begin();
            var state = new Dictionary<string, Tensor>();
            foreach (var t in g.Tensors)
            {
                string hf = GgufTensorNames.ToHf(layout.Tensors, t.Name)
                    ?? throw new ModelFormatException(path, t.Name, $"no Hugging Face name for this GGUF tensor ({layout.Arch} table)");
                var w = t.Type == GgmlType.F32 ? t.ToTensor() : t.Dequantize();
                if (layout.PermuteQk) w = Unpermute(w, hf, config);
                if (names.Conv1D && IsProjection(hf, names)) w = w.Transpose(0, 1).Contiguous();   // [out, in] → Conv1D [in, out]
                state[hf] = w;
            }
            if (layout.SplitFusedQkv) FuseQkv(state, config, names);
            if (config.TiedEmbeddings) state.Remove(names.LmHead + ".weight");
            model.LoadStateDict(state);
            return model;
        }
        catch { model.Dispose(); throw; }
    }

    public static void Save(DecoderModel model, string path, GgmlType type, IReadOnlyList<KeyValuePair<string, GgufValue>> vocab)
    {
        var c = model.Config;
        var family = DecoderFamilies.For(c);
        var layout = family.Gguf;
        var names = DecoderNames.For(c.Family);
        var w = new GgufWriter()
            .Add(GgufKeys.GeneralArchitecture, GgufValue.String(layout.Arch))
            .Add(GgufKeys.GeneralName, GgufValue.String("sharplm"))
            .Add(GgufKeys.GeneralQuantizationVersion, GgufValue.UInt32(2));
        layout.WriteConfig(c, w);
        GgufVocabulary.AddTo(w, vocab);
        using var scope = TensorScope.Begin();
        foreach (var (name, p) in Expanded(model, layout, names))
        {
            string gguf = GgufTensorNames.ToGguf(layout.Tensors, name) ?? throw new NotSupportedException($"ModelFile: no GGUF name for '{name}' in llama.cpp's {layout.Arch} layout.");
            var t = p;
            if (names.Conv1D && IsProjection(name, names)) t = t.Transpose(0, 1).Contiguous();     // Conv1D [in, out] → [out, in]
            if (layout.PermuteQk)
            {
                if (name.Contains(".self_attn.q_proj.")) t = LlamaRopePermute.ToGguf(t, c.Heads);
                else if (name.Contains(".self_attn.k_proj.")) t = LlamaRopePermute.ToGguf(t, c.KvHeads);
            }
            w.AddTensor(gguf, t, TypeFor(t, type));
        }
        w.Write(path);
    }

    /// <summary>The parameters in HF naming, with a fused W_pack split into q/k/v where the layout stores them apart.</summary>
    private static IEnumerable<(string Name, Tensor Param)> Expanded(DecoderModel model, GgufLayout layout, DecoderNames names)
    {
        var c = model.Config;
        int kvDim = c.KvHeads * c.HeadDim;
        foreach (var (name, p) in model.NamedParameters())
        {
            if (layout.SplitFusedQkv && names.FusedQkv is { } fused && name.EndsWith("." + fused + ".weight", StringComparison.Ordinal))
            {
                string prefix = name[..^(fused.Length + ".weight".Length)];
                yield return (prefix + "self_attn.q_proj.weight", p.Narrow(0, 0, c.AttnDim).Contiguous());
                yield return (prefix + "self_attn.k_proj.weight", p.Narrow(0, c.AttnDim, kvDim).Contiguous());
                yield return (prefix + "self_attn.v_proj.weight", p.Narrow(0, c.AttnDim + kvDim, kvDim).Contiguous());
            }
            else if (layout.SplitFusedQkv && names.FusedQkv is not null && name.Contains("." + names.FusedQkv + "."))
                throw new NotSupportedException($"ModelFile: {name} (a fused q/k/v bias) has no place in llama.cpp's {layout.Arch} layout.");
            else yield return (name, p);
        }
    }

    /// <summary>attn_q/k/v (already in HF q/k/v naming) → the fused W_pack weight.</summary>
    private static void FuseQkv(Dictionary<string, Tensor> state, DecoderConfig c, DecoderNames names)
    {
        for (int i = 0; i < c.Layers; i++)
        {
            string p = string.Format(names.Layer, i) + ".";
            string q = p + "self_attn.q_proj.weight", k = p + "self_attn.k_proj.weight", v = p + "self_attn.v_proj.weight";
            if (!state.Remove(q, out var tq) || !state.Remove(k, out var tk) || !state.Remove(v, out var tv))
                throw new KeyNotFoundException($"ModelFile: block {i} lacks one of attn_q/attn_k/attn_v.");
            state[p + names.FusedQkv + ".weight"] = Ops.Concat([tq, tk, tv], 0);
        }
    }

    private static Tensor Unpermute(Tensor w, string hf, DecoderConfig c) =>
        hf.Contains(".self_attn.q_proj.") ? LlamaRopePermute.FromGguf(w, c.Heads)
        : hf.Contains(".self_attn.k_proj.") ? LlamaRopePermute.FromGguf(w, c.KvHeads) : w;

    /// <summary>A 2-D projection weight (not the embeddings or the head), stored as Conv1D by GPT-2.</summary>
    private static bool IsProjection(string hf, DecoderNames n) =>
        hf.EndsWith(".weight", StringComparison.Ordinal) && hf != n.Embed + ".weight" && hf != n.PositionEmbed + ".weight"
        && hf != n.LmHead + ".weight" && !hf.Contains("." + n.AttnNorm + ".") && !hf.Contains("." + n.FfnNorm + ".") && hf != n.FinalNorm + ".weight";

    /// <summary>1-D tensors stay F32 (llama.cpp requires it); block types need rows that are whole blocks.</summary>
    private static GgmlType TypeFor(Tensor t, GgmlType wanted)
    {
        if (t.Rank < 2) return GgmlType.F32;
        if (wanted is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) return wanted;
        return t.Shape[^1] % 32 == 0 ? wanted : GgmlType.F16;
    }
}
