// ModelFile: loads and saves decoder models in the three on-disk forms SharpLM speaks —
//   a Hugging Face folder (config.json + model.safetensors or sharded with model.safetensors.index.json),
//   a GGUF file (llama.cpp; every registered family — llama, qwen2, gpt2, baichuan — through GgufModelFile:
//     {arch}.* hyper-parameters, blk.{i}.* tensor names, weights F32/F16/BF16/Q8_0/Q4_0/K-quants),
//   a llama2.c checkpoint (.bin, legacy or version 1/2 header).
// Everything is mapped onto the family's Hugging Face parameter names, so a model loaded from any of them is
// the same DecoderModel and `sharplm convert` is load-then-save. Paths go through ModelPath.Resolve first (a Hugging
// Face hub cache folder stands for its refs/main snapshot; a dangling symbolic link stops with its target named).
using System.Text.Json;
using SharpLM.Models.Bert;
using SharpLM.Models.Families;
using SharpLM.Models.Modules;
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
        path = ModelPath.Resolve(path);
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
        path = ModelPath.Resolve(path);
        return Detect(path) switch
        {
            ModelFileFormat.HfDirectory => LoadHf(path),
            ModelFileFormat.Gguf => LoadGguf(path),
            _ => LoadLlama2c(path),
        };
    }

    /// <summary>
    /// Loads any model the files describe: a decoder (every registered family, any format) or, from a Hugging
    /// Face folder, a BERT encoder with its MLM head (BertForMaskedLM).
    /// </summary>
    public static Module LoadModule(string path)
    {
        path = ModelPath.Resolve(path);
        if (Detect(path) == ModelFileFormat.HfDirectory && IsBert(ConfigJson.Load(path)))
        {
            using var _ = TensorScope.Outside();
            return LoadBert(path);
        }
        return Load(path);
    }

    private static bool IsBert(JsonElement config) =>
        Families.Bert.BertHfConfig.Architectures.Contains(HfConfig.Architecture(config), StringComparer.OrdinalIgnoreCase);

    /// <summary>Every tensor of a HF folder's checkpoint as f32 (in the caller's tensor scope), except those <paramref name="skip"/> names.</summary>
    private static Dictionary<string, Tensor> ReadF32State(string dir, Func<string, bool>? skip = null)
    {
        using var ck = ShardedCheckpoint.Open(dir);
        var state = new Dictionary<string, Tensor>();
        foreach (var name in ck.Names)
        {
            if (skip?.Invoke(name) == true) continue;
            var t = ck[name].ToTensor();
            state[name] = t.DType == DType.F32 ? t : t.To(DType.F32);
        }
        return state;
    }

    private static BertForMaskedLM LoadBert(string dir)
    {
        var file = Path.Combine(dir, "config.json");
        var model = new BertForMaskedLM(Families.Bert.BertHfConfig.Map(ConfigJson.Load(file), file));
        try
        {
            using var scope = TensorScope.Begin();
            // Not part of the MLM forward: the position-id buffer, the pooler, the next-sentence head, and the
            // decoder weight that transformers ties to the word embeddings (saved as a copy by some versions).
            model.LoadStateDict(ReadF32State(dir, name => name is "bert.embeddings.position_ids" or "cls.predictions.decoder.weight" or "cls.predictions.decoder.bias"
                || name.StartsWith("bert.pooler.", StringComparison.Ordinal) || name.StartsWith("cls.seq_relationship.", StringComparison.Ordinal)));
            return model;
        }
        catch { model.Dispose(); throw; }
    }

    private static DecoderModel LoadHf(string dir)
    {
        var file = Path.Combine(dir, "config.json");
        var json = ConfigJson.Load(file);                      // read once: mapping, BERT check and weight hooks share it
        if (IsBert(json))
            throw new ModelFormatException(file, "architectures", "a decoder language model; this is a BERT encoder (BertForMaskedLM), which text generation cannot run (the library opens it with ModelFile.LoadModule)");
        var model = new DecoderModel(HfConfig.Map(json, file));
        try
        {
            using var scope = TensorScope.Begin();
            var state = ReadF32State(dir);
            DecoderFamilies.ForHfArchitecture(HfConfig.Architecture(json))?.PrepareHfWeights?.Invoke(json, state);
            model.LoadStateDict(state);
            return model;
        }
        catch { model.Dispose(); throw; }
    }

    private static DecoderModel LoadGguf(string path) => GgufModelFile.Load(path);

    /// <summary>Hyper-parameters of a GGUF file of any registered family (DecoderFamilies).</summary>
    public static DecoderConfig ConfigFromGguf(GgufFile g) => GgufModelFile.ReadConfig(g);

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
                GgufModelFile.Save(model, path, ggufType, vocab ?? GgufVocabulary.Placeholder(model.Config.VocabSize));
                break;
            default:
                SaveLlama2c(model, path);
                break;
        }
    }

    private static void SaveLlama2c(DecoderModel model, string path)
    {
        var c = model.Config;
        if (c.Family != ModelFamily.Llama || c.QkvBias)
            throw new NotSupportedException($"ModelFile: llama2.c export supports LLaMA-style models, not {c.Family}{(c.QkvBias ? " with q/k/v bias" : "")}.");
        if (c.QkHeadNorm || c.ExplicitHeadDim != 0)
            throw new NotSupportedException("ModelFile: llama2.c files have no per-head q/k norms or head_dim of their own (Qwen3); convert to GGUF or a HF folder instead.");
        // llama2.c's header has no RoPE base or scaling (its runtime fixes θ = 10000), so a model with others would
        // come back with different numbers. (It has no epsilon either: 1e-5 on load; that changes logits by ~1e-4 only.)
        if (c.RopeTheta != 10000f || c.RopeScaling != 1f || c.Positions != PositionKind.Rotary)
            throw new NotSupportedException($"ModelFile: llama2.c files fix rope θ = 10000 without scaling; this model has θ = {c.RopeTheta}, scaling {c.RopeScaling}, {c.Positions} positions — convert to GGUF or a HF folder instead.");
        var cfg = new Llama2cConfig(c.Dim, c.FfnDim, c.Layers, c.Heads, c.KvHeads, c.VocabSize, c.MaxPositions, c.TiedEmbeddings);
        Llama2cCheckpoint.WriteV1(path, cfg, model.StateDict());
    }
}
