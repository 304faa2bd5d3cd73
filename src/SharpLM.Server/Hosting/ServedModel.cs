// ServedModel: the one model a server process serves — opened at start with ModelOpener (executor with
// --parallel cache slots of --ctx-size positions, its tokenizer required), and the name requests must use.
// Requests can only name this model: nothing a request says reaches the filesystem.
using SharpLM.Inference.Engine;
using SharpLM.Inference.Loading;
using SharpLM.Text.Formats;

namespace SharpLM.Server.Hosting;

internal sealed class ServedModel : IDisposable
{
    private readonly OpenedModel _opened;

    public ServedModel(ServerOptions o)
    {
        _opened = ModelOpener.Open(o.ModelPath, new ModelOpenOptions { MaxSequences = o.Parallel, ContextLength = o.ContextSize, KvBlocks = o.KvBlocks, Tokenizer = TokenizerUse.Required });
        try
        {
            Name = o.ModelName ?? DefaultName(_opened.Path);
            MaxTokensLimit = Math.Min(o.MaxTokensLimit ?? Lm.ContextLength, Lm.ContextLength);
            if (Tokenizer.VocabSize > Lm.VocabSize)
                throw new ArgumentException($"{o.ModelPath}: the tokenizer has {Tokenizer.VocabSize} tokens but the model only {Lm.VocabSize} logits.");
        }
        catch { _opened.Dispose(); throw; }
    }

    /// <summary>The model's file name without extension, or its folder's name.</summary>
    public static string DefaultName(string path) =>
        Directory.Exists(path) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) : Path.GetFileNameWithoutExtension(path);

    public string Name { get; }

    public IBatchedCausalLm Lm => _opened.Lm;

    public OpenedModel Opened => _opened;

    public ModelTokenizer Tokenizer => _opened.Tokenizer!;

    public int MaxTokensLimit { get; }

    public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void Dispose() => _opened.Dispose();
}
