// ModelOpener: the one call that opens a model path for inference — a Hugging Face folder, a GGUF file or a
// llama2.c .bin — and returns its executor, config, tokenizer and chat template (OpenedModel). GGUF runs on
// DecoderEngine straight from the memory map (weights in their stored type); folders and .bin files are loaded
// as a DecoderModel and copied into DecoderEngine.FromModel. Only when the engine refuses a config
// (NotSupportedException) does the reference DecoderModelLm run it. Bad input stops here with one message that
// names the path and what was expected, so the CLI verbs and the server print it as it is (IsBadInput). The path may
// be a symbolic link, or a Hugging Face hub cache folder (models--org--name), which opens its refs/main snapshot (ModelPath).
// PEFT adapters (ModelOpenOptions.Adapters) are merged into the f32 DecoderModel before the engine copies it.
using System.Text.Json;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Text.Formats;

namespace SharpLM.Inference.Loading;

/// <summary>Opens model paths for generation, chat, eval and serving.</summary>
public static class ModelOpener
{
    private const string Expected = "a Hugging Face folder, a GGUF file or a llama2.c .bin checkpoint";

    /// <summary>Opens <paramref name="path"/> as <paramref name="options"/> ask (defaults: one slot, the model's context, f32 cache, tokenizer when present).</summary>
    public static OpenedModel Open(string path, ModelOpenOptions? options = null)
    {
        var o = options ?? new ModelOpenOptions();
        if (o.MaxSequences < 1) throw new ArgumentException($"ModelOpener: MaxSequences must be at least 1, got {o.MaxSequences}.", nameof(options));
        if (o.ContextLength is < 1) throw new ArgumentException($"ModelOpener: ContextLength must be at least 1, got {o.ContextLength}.", nameof(options));
        path = ModelPath.Resolve(path); // a hub cache folder → its snapshot; the executor, tokenizer and OpenedModel.Path all see that
        var format = Detect(path);
        // The tokenizer first: it is small, and a missing one should not wait for the weights.
        var tokenizer = o.Tokenizer switch
        {
            TokenizerUse.Required => ModelTokenizer.For(path),
            TokenizerUse.IfPresent => ModelTokenizer.TryFor(path),
            _ => null,
        };
        if (!o.Executor)
        {
            var alone = LoadWithAdapters(path, o.Adapters);
            return new(path, format, alone.Config, null, alone, tokenizer, null);
        }
        if (o.Adapters.Count > 0) return FromModel(path, format, LoadWithAdapters(path, o.Adapters), o, tokenizer);
        if (format == ModelFileFormat.Gguf)
        {
            DecoderEngine engine;
            try { engine = DecoderEngine.Open(path, o.ContextLength, o.MaxSequences, o.KvType, o.KvBlocks, o.BeyondTrainingContext); }
            catch (NotSupportedException) { return FromModel(path, format, ModelFile.Load(path), o, tokenizer); } // f32 weights in memory
            if (!o.DecoderModel) return new(path, format, engine.Config, engine, null, tokenizer, null);
            try { return new(path, format, engine.Config, engine, ModelFile.Load(path), tokenizer, null); }
            catch { engine.Dispose(); throw; }
        }
        return FromModel(path, format, ModelFile.Load(path), o, tokenizer);
    }

    /// <summary>The f32 DecoderModel of <paramref name="path"/> with <paramref name="adapters"/> merged into its weights.</summary>
    private static DecoderModel LoadWithAdapters(string path, IReadOnlyList<string> adapters)
    {
        var model = ModelFile.Load(path);
        try { PeftMerge.MergeAdapters(model, adapters); }
        catch { model.Dispose(); throw; }
        return model;
    }

    /// <summary>
    /// The format of <paramref name="path"/>, or the error for a path that is none: missing (FileNotFoundException), a
    /// folder without config.json, a file that is neither GGUF nor llama2.c (ModelFormatException).
    /// </summary>
    public static ModelFileFormat Detect(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"ModelOpener: no model path given (expected {Expected}).", nameof(path));
        path = ModelPath.Resolve(path);
        if (Directory.Exists(path))
        {
            if (!ModelPath.FileExists(System.IO.Path.Combine(path, "config.json")))
                throw new ModelFormatException(path, "config.json", "missing (a Hugging Face model folder holds config.json and model.safetensors)");
            return ModelFileFormat.HfDirectory;
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder (expected {Expected}).", path);
        if (GgufFile.IsGguf(path)) return ModelFileFormat.Gguf;
        if (path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)) return ModelFileFormat.Llama2c;
        throw new ModelFormatException(path, "", "not a model file (expected a GGUF file, which starts with 'GGUF', a llama2.c checkpoint named *.bin, or a Hugging Face folder)");
    }

    /// <summary>The tokenizer of <paramref name="path"/> alone (after the same path checks as <see cref="Open"/>): for callers that
    /// size the executor from the encoded prompt before opening it.</summary>
    public static ModelTokenizer OpenTokenizer(string path)
    {
        Detect(path);
        return ModelTokenizer.For(ModelPath.Resolve(path));
    }

    /// <summary>Whether <paramref name="e"/> is what opening throws for bad input (a path, file, config or tokenizer it cannot use),
    /// whose message is meant for the user as it is, rather than a bug.</summary>
    public static bool IsBadInput(Exception e) => e is ModelFormatException or IOException or InvalidDataException or JsonException
        or NotSupportedException or ArgumentException or FormatException or UnauthorizedAccessException or KeyNotFoundException;

    /// <summary>The engine over the model's weights in memory, or the reference model when the engine refuses its config
    /// (NotSupportedException). Owns <paramref name="model"/>: disposes it when it fails, or when the engine holds a copy and it was not asked for.</summary>
    internal static OpenedModel FromModel(string path, ModelFileFormat format, DecoderModel model, ModelOpenOptions o, ModelTokenizer? tokenizer)
    {
        try
        {
            string refusal;
            try
            {
                var engine = DecoderEngine.FromModel(model, o.ContextLength, o.MaxSequences, o.KvType, o.KvBlocks, o.BeyondTrainingContext);
                if (o.DecoderModel) return new(path, format, model.Config, engine, model, tokenizer, null);
                model.Dispose(); // the engine holds its own copy
                return new(path, format, engine.Config, engine, null, tokenizer, null);
            }
            catch (NotSupportedException e) { refusal = e.Message; }
            if (o.KvType != KvCacheType.F32)
                throw new NotSupportedException($"{path}: a {o.KvType} KV cache needs the inference engine, which does not run this model ({refusal}); the reference model keeps f32.");
            if (o.BeyondTrainingContext && o.ContextLength > model.Config.MaxPositions)
                throw new NotSupportedException($"{path}: a context of {o.ContextLength} beyond the training context ({model.Config.MaxPositions}) needs the inference engine, which does not run this model ({refusal}).");
            return new(path, format, model.Config, new DecoderModelLm(model, o.MaxSequences, o.ContextLength), model, tokenizer, refusal);
        }
        catch { model.Dispose(); throw; }
    }
}
