// PromptLearningAdapter: what prompt tuning, P-tuning and prefix tuning share, as PEFT's prompt-learning methods do —
// a prompt encoder for num_virtual_tokens virtual tokens attached to the model as its VirtualTokens, one such adapter
// at a time, and one tensor in the file: `prompt_embeddings`, the encoder's output (PEFT's
// get_prompt_embedding_to_save). Loading a file therefore gives the encoder's output as a plain table
// (PromptEmbedding), which is what PEFT runs in inference mode; training then continues on that table.
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;

namespace SharpLM.Models.Peft;

/// <summary>The shared part of PROMPT_TUNING, P_TUNING and PREFIX_TUNING.</summary>
public abstract class PromptLearningAdapter : IPeftAdapter, IVirtualTokens
{
    /// <summary>PEFT's tensor name for every prompt-learning method.</summary>
    public const string TensorName = "prompt_embeddings";

    private readonly JsonObject _methodFields;

    protected DecoderModel Model { get; }

    /// <summary>The sizes (num_virtual_tokens, token_dim, heads, layers).</summary>
    public PromptLearningConfig Sizes { get; }

    /// <summary>The trained module: the method's encoder, or the loaded table.</summary>
    public Module Encoder { get; private set; }

    public abstract string PeftType { get; }
    public string Name { get; }
    public abstract VirtualTokenKind Kind { get; }
    public int Count => Sizes.NumVirtualTokens;
    public string Description => $"{PeftType} adapter '{Name}'";

    public IReadOnlyList<Tensor> Parameters => Encoder.NamedParameters().Select(p => p.Param).ToList();

    protected PromptLearningAdapter(DecoderModel model, string name, PromptLearningConfig sizes, Module encoder, JsonObject methodFields)
    {
        if (encoder is not IPromptEncoder) throw new ArgumentException($"{encoder.GetType().Name} is not a prompt encoder.");
        if (model.VirtualTokens is { } other)
            throw new InvalidOperationException($"The model already has the {other.Description}; detach it first (one prompt-learning adapter at a time, as in PEFT).");
        Model = model; Name = name; Sizes = sizes; Encoder = encoder; _methodFields = methodFields;
        model.VirtualTokens = this;
    }

    /// <summary>Columns of the encoder's output: token_dim (embeddings), or 2·L·token_dim (keys/values).</summary>
    protected virtual int Width => Sizes.TokenDim;

    /// <summary>The encoder's output [NV, width]; the encoder follows the model's train/eval mode (LSTM dropout).</summary>
    protected Tensor Encode()
    {
        if (Encoder.Training != Model.Training) { if (Model.Training) Encoder.Train(); else Encoder.Eval(); }
        return ((IPromptEncoder)Encoder).Encode();
    }

    public Tensor Embeddings(int batch)
    {
        var e = Encode();                                                              // (NV, C)
        return e.Unsqueeze(0).Expand(batch, e.Shape[0], e.Shape[1]);                   // (B, NV, C)
    }

    public virtual (Tensor K, Tensor V) KeysValues(int layer, int batch) =>
        throw new InvalidOperationException($"{Description}: its virtual tokens are embeddings, not keys/values.");

    public JsonObject ConfigJson()
    {
        var o = PeftConfigFields.NewConfig(PeftType);
        Sizes.Write(o);
        foreach (var (k, v) in _methodFields) o[k] = v?.DeepClone();
        return o;
    }

    /// <summary>{"prompt_embeddings": the encoder's output [NV, width]} (the table itself once loaded or for prompt tuning).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        if (Encoder is PromptEmbedding table) return new Dictionary<string, Tensor> { [TensorName] = table.Weight };
        using var outside = TensorScope.Outside();
        using var _ = GradMode.NoGrad();
        return new Dictionary<string, Tensor> { [TensorName] = Encode().Contiguous() };
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        int width = Width;
        if (Encoder is not PromptEmbedding)
        {
            using var outside = TensorScope.Outside();
            var table = new PromptEmbedding(Tensor.Zeros([Count, width]));
            try { PeftState.Copy(table.StateDict().ToDictionary(p => TensorName, p => p.Value), state); }
            catch { table.Dispose(); throw; }
            Encoder.Dispose();
            Encoder = table;
        }
        else PeftState.Copy(StateDict(), state);
    }

    public void Detach()
    {
        if (ReferenceEquals(Model.VirtualTokens, this)) Model.VirtualTokens = null;
    }
}
