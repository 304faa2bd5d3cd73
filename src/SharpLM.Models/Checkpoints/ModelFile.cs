// ModelFile: loads and saves decoder models in the three on-disk forms SharpLM speaks —
//   a Hugging Face folder (config.json + model.safetensors or sharded with model.safetensors.index.json),
//   a GGUF file (llama.cpp; LLaMA architecture: llama.* hyper-parameters, blk.{i}.* tensor names, q/k rows
//     permuted to llama.cpp's interleaved RoPE layout, weights F32/F16/BF16/Q8_0/Q4_0/…),
//   a llama2.c checkpoint (.bin, legacy or version 1/2 header).
// Everything is mapped onto the family's Hugging Face parameter names, so a model loaded from any of them is
// the same DecoderModel and `sharplm convert` is load-then-save.
using System.Text.Json;
using SharpLM.Models.Families;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Formats.Llama2c;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Models.Checkpoints;

/// <summary>On-disk model formats.</summary>
public enum ModelFileFormat { HfDirectory, Gguf, Llama2c }

/// <summary>Reads and writes decoder models in every supported format.</summary>
public static class ModelFile
{
    /// <summary>The format of <paramref name="path"/> (a folder is a HF checkpoint; files are recognised by magic).</summary>
    public static ModelFileFormat Detect(string path)
    {
        if (Directory.Exists(path)) return ModelFileFormat.HfDirectory;
        if (!File.Exists(path)) throw new FileNotFoundException($"ModelFile: {path} does not exist.", path);
        if (GgufFile.IsGguf(path)) return ModelFileFormat.Gguf;
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)) return ModelFileFormat.Llama2c;
        throw new ModelFormatException(path, "", "not a GGUF file (magic 'GGUF'), a llama2.c .bin checkpoint or a Hugging Face folder");
    }

    /// <summary>The format a target path asks for: *.gguf, *.bin, otherwise a HF folder.</summary>
    public static ModelFileFormat FromTargetPath(string path) =>
        path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? ModelFileFormat.Gguf
        : path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? ModelFileFormat.Llama2c : ModelFileFormat.HfDirectory;

    /// <summary>Loads a model with f32 weights (quantised GGUF weights are dequantised).</summary>
    public static DecoderModel Load(string path)
    {
        using var _ = TensorScope.Outside();
        return Detect(path) switch
        {
            ModelFileFormat.HfDirectory => LoadHf(path),
            ModelFileFormat.Gguf => LoadGguf(path),
            _ => LoadLlama2c(path),
        };
    }

    private static DecoderModel LoadHf(string dir)
    {
        var config = HfConfig.Load(dir);
        using var ck = ShardedCheckpoint.Open(dir);
        var model = new DecoderModel(config);
        using var scope = TensorScope.Begin();
        var state = new Dictionary<string, Tensor>();
        foreach (var name in ck.Names)
        {
            var t = ck[name].ToTensor();
            state[name] = t.DType == DType.F32 ? t : t.To(DType.F32);
        }
        model.LoadStateDict(state);
        return model;
    }

    private static DecoderModel LoadGguf(string path)
    {
        using var g = GgufFile.Open(path);
        string arch = g.GetString(GgufKeys.GeneralArchitecture);
        if (arch != "llama")
            throw new ModelFormatException(path, GgufKeys.GeneralArchitecture, $"architecture '{arch}' is not supported (expected 'llama')");
        var config = ConfigFromGguf(g);
        var model = new DecoderModel(config);
        using var scope = TensorScope.Begin();
        var state = new Dictionary<string, Tensor>();
        foreach (var t in g.Tensors)
        {
            string hf = GgufTensorNames.ToHf(GgufTensorNames.Llama, t.Name)
                ?? throw new ModelFormatException(path, t.Name, "no Hugging Face name for this GGUF tensor (LLaMA table)");
            var w = t.Type == GgmlType.F32 ? t.ToTensor() : t.Dequantize();
            if (hf.EndsWith("self_attn.q_proj.weight")) w = LlamaRopePermute.FromGguf(w, config.Heads);
            else if (hf.EndsWith("self_attn.k_proj.weight")) w = LlamaRopePermute.FromGguf(w, config.KvHeads);
            state[hf] = w;
        }
        if (config.TiedEmbeddings) state.Remove("lm_head.weight");
        model.LoadStateDict(state);
        return model;
    }

    /// <summary>LLaMA hyper-parameters from GGUF metadata (vocabulary size from the token list or the embedding).</summary>
    public static DecoderConfig ConfigFromGguf(GgufFile g)
    {
        int heads = (int)g.GetInt64(GgufKeys.LlamaHeadCount);
        var embd = g.TryGetTensor("token_embd.weight") ?? throw new ModelFormatException(g.Path, "token_embd.weight", "missing token embedding");
        int dim = (int)g.GetInt64(GgufKeys.LlamaEmbeddingLength);
        if (g.TryGet(GgufKeys.LlamaRopeDimensionCount) is { } rd && rd.AsInt64() != dim / heads)
            throw ModelFormatException.Expected(g.Path, GgufKeys.LlamaRopeDimensionCount, $"the head dimension {dim / heads} (partial rotary is not supported)", rd.AsInt64());
        if (g.TryGet(GgufKeys.LlamaExpertCount) is { } ec && ec.AsInt64() > 0)
            throw ModelFormatException.Expected(g.Path, GgufKeys.LlamaExpertCount, "0 (mixture-of-experts models are not supported)", ec.AsInt64());
        return new DecoderConfig
        {
            Family = ModelFamily.Llama,
            VocabSize = embd.Shape[0],
            Dim = (int)g.GetInt64(GgufKeys.LlamaEmbeddingLength),
            Layers = (int)g.GetInt64(GgufKeys.LlamaBlockCount),
            Heads = heads,
            KvHeads = g.TryGet(GgufKeys.LlamaHeadCountKv) is { } kv ? (int)kv.AsInt64() : heads,
            FfnDim = (int)g.GetInt64(GgufKeys.LlamaFeedForwardLength),
            MaxPositions = (int)g.GetInt64(GgufKeys.LlamaContextLength),
            NormEps = g.TryGet(GgufKeys.LlamaRmsEpsilon) is { } e ? (float)e.AsDouble() : 1e-5f,
            RopeTheta = g.TryGet(GgufKeys.LlamaRopeFreqBase) is { } th ? (float)th.AsDouble() : 10000f,
            RopeScaling = RopeLinearFactor(g),
            TiedEmbeddings = g.TryGetTensor("output.weight") is null,
        }.Validate();
    }

    /// <summary>
    /// The linear RoPE factor from llama.cpp's keys: rope.scaling.type "none"/"linear" with rope.scaling.factor, or
    /// the older rope.scale_linear. Any other scaling type (yarn, longrope) would change the numbers: an error.
    /// </summary>
    private static float RopeLinearFactor(GgufFile g)
    {
        string type = g.TryGet(GgufKeys.LlamaRopeScalingType) is { } t ? t.AsString() : "";
        float factor = g.TryGet(GgufKeys.LlamaRopeScalingFactor) is { } f ? (float)f.AsDouble()
            : g.TryGet(GgufKeys.LlamaRopeScaleLinear) is { } sl ? (float)sl.AsDouble() : 1f;
        switch (type)
        {
            case "none": return 1f;
            case "linear" or "":
                if (factor == 0f) return 1f; // llama.cpp writes 0 for "unset"
                if (!(factor > 0) || !float.IsFinite(factor)) throw ModelFormatException.Expected(g.Path, GgufKeys.LlamaRopeScalingFactor, "a positive number", factor);
                return factor;
            default:
                throw ModelFormatException.Expected(g.Path, GgufKeys.LlamaRopeScalingType, "'none' or 'linear' (other RoPE scaling rules are not supported)", type);
        }
    }

    private static DecoderModel LoadLlama2c(string path)
    {
        using var ck = Llama2cCheckpoint.Read(path);
        var c = ck.Config;
        var config = new DecoderConfig
        {
            Family = ModelFamily.Llama, VocabSize = c.VocabSize, Dim = c.Dim, Layers = c.Layers, Heads = c.Heads, KvHeads = c.KvHeads,
            FfnDim = c.HiddenDim, MaxPositions = c.SeqLen, NormEps = 1e-5f, TiedEmbeddings = c.SharedClassifier,
        }.Validate();
        var model = new DecoderModel(config);
        var state = ck.Tensors.Where(kv => !(c.SharedClassifier && kv.Key == "lm_head.weight")).ToDictionary(kv => kv.Key, kv => kv.Value);
        model.LoadStateDict(state);
        return model;
    }

    /// <summary>Saves <paramref name="model"/>; <paramref name="ggufType"/> is the type of 2-D weights in GGUF (norms stay F32);
    /// <paramref name="vocab"/> is the tokenizer.ggml.* block written into a GGUF (a placeholder vocabulary when null).</summary>
    public static void Save(DecoderModel model, string path, ModelFileFormat format, GgmlType ggufType = GgmlType.F32,
        IReadOnlyList<KeyValuePair<string, GgufValue>>? vocab = null)
    {
        switch (format)
        {
            case ModelFileFormat.HfDirectory:
                Directory.CreateDirectory(path);
                HfConfigWriter.Write(model.Config, path);
                SafetensorsWriter.Write(Path.Combine(path, ShardedCheckpoint.SingleFileName), model.NamedParameters().Select(p => KeyValuePair.Create(p.Name, p.Param)));
                break;
            case ModelFileFormat.Gguf:
                SaveGguf(model, path, ggufType, vocab ?? GgufVocabulary.Placeholder(model.Config.VocabSize));
                break;
            default:
                SaveLlama2c(model, path);
                break;
        }
    }

    private static void SaveGguf(DecoderModel model, string path, GgmlType type, IReadOnlyList<KeyValuePair<string, GgufValue>> vocab)
    {
        var c = model.Config;
        if (c.Family != ModelFamily.Llama || c.QkvBias || c.Positions != PositionKind.Rotary)
            throw new NotSupportedException($"ModelFile: GGUF export supports LLaMA-style models (RoPE, no q/k/v bias); this model is {c.Family} with {c.Positions} positions.");
        var w = new GgufWriter()
            .Add(GgufKeys.GeneralArchitecture, GgufValue.String("llama"))
            .Add(GgufKeys.GeneralName, GgufValue.String("sharplm"))
            .Add(GgufKeys.LlamaContextLength, GgufValue.UInt32((uint)c.MaxPositions))
            .Add(GgufKeys.LlamaEmbeddingLength, GgufValue.UInt32((uint)c.Dim))
            .Add(GgufKeys.LlamaBlockCount, GgufValue.UInt32((uint)c.Layers))
            .Add(GgufKeys.LlamaFeedForwardLength, GgufValue.UInt32((uint)c.FfnDim))
            .Add(GgufKeys.LlamaRopeDimensionCount, GgufValue.UInt32((uint)c.HeadDim))
            .Add(GgufKeys.LlamaHeadCount, GgufValue.UInt32((uint)c.Heads))
            .Add(GgufKeys.LlamaHeadCountKv, GgufValue.UInt32((uint)c.KvHeads))
            .Add(GgufKeys.LlamaRmsEpsilon, GgufValue.Float32(c.NormEps))
            .Add(GgufKeys.LlamaRopeFreqBase, GgufValue.Float32(c.RopeTheta))
            .Add(GgufKeys.GeneralQuantizationVersion, GgufValue.UInt32(2));
        if (c.RopeScaling != 1f)
            w.Add(GgufKeys.LlamaRopeScalingType, GgufValue.String("linear")).Add(GgufKeys.LlamaRopeScalingFactor, GgufValue.Float32(c.RopeScaling));
        GgufVocabulary.AddTo(w, vocab);
        using var scope = TensorScope.Begin();
        foreach (var (name, p) in model.NamedParameters())
        {
            string gguf = GgufTensorNames.ToGguf(GgufTensorNames.Llama, name) ?? throw new InvalidOperationException($"ModelFile: no GGUF name for '{name}'.");
            var t = p;
            if (name.EndsWith("self_attn.q_proj.weight")) t = LlamaRopePermute.ToGguf(p, c.Heads);
            else if (name.EndsWith("self_attn.k_proj.weight")) t = LlamaRopePermute.ToGguf(p, c.KvHeads);
            w.AddTensor(gguf, t, TypeFor(t, type));
        }
        w.Write(path);
    }

    /// <summary>1-D tensors stay F32 (llama.cpp requires it); block types need rows that are whole blocks.</summary>
    private static GgmlType TypeFor(Tensor t, GgmlType wanted)
    {
        if (t.Rank < 2) return GgmlType.F32;
        if (wanted is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16) return wanted;
        return t.Shape[^1] % 32 == 0 ? wanted : GgmlType.F16;
    }

    private static void SaveLlama2c(DecoderModel model, string path)
    {
        var c = model.Config;
        if (c.Family != ModelFamily.Llama || c.QkvBias)
            throw new NotSupportedException($"ModelFile: llama2.c export supports LLaMA-style models, not {c.Family}{(c.QkvBias ? " with q/k/v bias" : "")}.");
        // llama2.c's header has no RoPE base or scaling (its runtime fixes θ = 10000), so a model with others would
        // come back with different numbers. (It has no epsilon either: 1e-5 on load; that changes logits by ~1e-4 only.)
        if (c.RopeTheta != 10000f || c.RopeScaling != 1f || c.Positions != PositionKind.Rotary)
            throw new NotSupportedException($"ModelFile: llama2.c files fix rope θ = 10000 without scaling; this model has θ = {c.RopeTheta}, scaling {c.RopeScaling}, {c.Positions} positions — convert to GGUF or a HF folder instead.");
        var cfg = new Llama2cConfig(c.Dim, c.FfnDim, c.Layers, c.Heads, c.KvHeads, c.VocabSize, c.MaxPositions, c.TiedEmbeddings);
        Llama2cCheckpoint.WriteV1(path, cfg, model.StateDict());
    }
}
