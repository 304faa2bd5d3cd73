// OpenedModel: what ModelOpener.Open returns for a model path — the executor generation drives (DecoderEngine
// wherever the engine takes the config, else the reference DecoderModelLm), the config, the file's format, the
// tokenizer and chat template, and the autograd DecoderModel when it was asked for. Disposing it releases all.
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Transformer;
using SharpLM.Text.ChatTemplates;
using SharpLM.Text.Formats;

namespace SharpLM.Inference.Loading;

/// <summary>An opened model: executor, config, tokenizer and chat template.</summary>
public sealed class OpenedModel : IDisposable
{
    private readonly IBatchedCausalLm? _lm;
    private readonly DecoderModel? _model;
    private bool _disposed;

    internal OpenedModel(string path, ModelFileFormat format, DecoderConfig config, IBatchedCausalLm? lm, DecoderModel? model,
                         ModelTokenizer? tokenizer, string? engineRefusal)
    {
        Path = path; Format = format; Config = config; _lm = lm; _model = model; Tokenizer = tokenizer; EngineRefusal = engineRefusal;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>HF folder, GGUF or llama2.c.</summary>
    public ModelFileFormat Format { get; }

    /// <summary>The model's hyper-parameters.</summary>
    public DecoderConfig Config { get; }

    /// <summary>The executor: a <see cref="DecoderEngine"/>, or a <see cref="DecoderModelLm"/> when the engine refused the config.</summary>
    public IBatchedCausalLm Lm => _lm ?? throw new InvalidOperationException($"OpenedModel: {Path} was opened without an executor (ModelOpenOptions.Executor = false).");

    /// <summary>Whether the executor is the inference engine.</summary>
    public bool OnEngine => _lm is DecoderEngine;

    /// <summary>Why the engine refused the config (the executor is then the reference model); null on the engine.</summary>
    public string? EngineRefusal { get; }

    /// <summary>The f32 autograd model (asked for with <see cref="ModelOpenOptions.DecoderModel"/>).</summary>
    public DecoderModel Model => _model ?? throw new InvalidOperationException($"OpenedModel: {Path} was opened without its DecoderModel (ModelOpenOptions.DecoderModel = false).");

    /// <summary>The model's tokenizer; null when none was asked for or none is beside the model.</summary>
    public ModelTokenizer? Tokenizer { get; }

    /// <summary>The model's chat template (its tokenizer's, else ChatML).</summary>
    public IChatTemplate Template => Tokenizer?.Template ?? BuiltInTemplates.Get(ChatFormat.ChatML);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        (_lm as IDisposable)?.Dispose();
        _model?.Dispose();
    }
}
