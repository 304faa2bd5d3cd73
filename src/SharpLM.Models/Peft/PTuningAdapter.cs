// PTuningAdapter: P-tuning (Liu et al. 2021; PEFT's P_TUNING) — virtual-token embeddings produced by a trained
// PromptEncoder (MLP or LSTM) and put before the input embeddings. Config fields: encoder_reparameterization_type
// (MLP | LSTM), encoder_hidden_size (default token_dim), encoder_num_layers (LSTM layers; PEFT ignores it for the
// MLP, which has 3 layers), encoder_dropout (LSTM only). As in PEFT, the file holds the encoder's output.
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>Virtual tokens from a prompt encoder.</summary>
public sealed class PTuningAdapter : PromptLearningAdapter
{
    public const string Type = "P_TUNING";

    public override string PeftType => Type;
    public override VirtualTokenKind Kind => VirtualTokenKind.Embeddings;

    private PTuningAdapter(DecoderModel model, string name, PromptLearningConfig sizes, PromptEncoder encoder, JsonObject fields)
        : base(model, name, sizes, encoder, fields) { }

    /// <summary>Attaches P-tuning: <paramref name="numVirtualTokens"/> tokens through a <paramref name="kind"/> encoder.</summary>
    public static PTuningAdapter Attach(DecoderModel model, int numVirtualTokens, PromptEncoderKind kind = PromptEncoderKind.Mlp,
        int? encoderHiddenSize = null, int encoderNumLayers = 2, float encoderDropout = 0f, string adapterName = "default", ulong seed = 0)
    {
        var sizes = PromptLearningConfig.For(model.Config, numVirtualTokens, keyValueSizes: false);
        int hidden = encoderHiddenSize ?? sizes.TokenDim;
        if (hidden < 1 || encoderNumLayers < 1) throw new ArgumentException($"P-tuning: encoder_hidden_size ({hidden}) and encoder_num_layers ({encoderNumLayers}) must be positive.");
        if (encoderDropout is < 0 or >= 1) throw new ArgumentException($"P-tuning: encoder_dropout {encoderDropout} must be in [0, 1).");
        using var outside = TensorScope.Outside();
        var encoder = new PromptEncoder(numVirtualTokens, sizes.TokenDim, hidden, kind, encoderNumLayers, encoderDropout, new Generator(seed));
        var fields = new JsonObject
        {
            ["encoder_reparameterization_type"] = kind == PromptEncoderKind.Lstm ? "LSTM" : "MLP", ["encoder_hidden_size"] = hidden,
            ["encoder_num_layers"] = encoderNumLayers, ["encoder_dropout"] = encoderDropout,
        };
        return new PTuningAdapter(model, adapterName, sizes, encoder, fields);
    }

    /// <summary>PeftMethods entry.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed)
    {
        var f = new PeftConfigFields(config, Type);
        var sizes = PromptLearningConfig.Read(f, model.Config, keyValueSizes: false);
        var kindName = f.String("encoder_reparameterization_type", "MLP");
        var kind = kindName switch
        {
            "MLP" => PromptEncoderKind.Mlp, "LSTM" => PromptEncoderKind.Lstm,
            _ => throw new ArgumentException($"adapter_config.json: encoder_reparameterization_type '{kindName}' is not MLP or LSTM."),
        };
        int? hidden = f.Int("encoder_hidden_size");
        int layers = f.Int("encoder_num_layers") ?? 2;
        float dropout = (float)(f.Double("encoder_dropout") ?? 0);
        f.Done();
        return Attach(model, sizes.NumVirtualTokens, kind, hidden, layers, dropout, adapterName, seed);
    }
}
