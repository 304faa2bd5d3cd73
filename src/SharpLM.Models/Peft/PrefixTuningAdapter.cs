// PrefixTuningAdapter: prefix tuning (Li & Liang 2021; PEFT's PREFIX_TUNING) — learned keys and values that every
// layer's queries attend to before the sequence, with no causal mask over them; the real tokens take positions
// NV, NV+1, … as transformers numbers tokens after past_key_values (RoPE and learned positions alike). The sizes are
// the key/value sizes (token_dim = num_key_value_heads × head_dim, num_attention_heads = num_key_value_heads) as
// PEFT sets them for GQA models. Config fields: prefix_projection, encoder_hidden_size, init_weights (null | "zero").
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>Learned per-layer key/value prefixes.</summary>
public sealed class PrefixTuningAdapter : PromptLearningAdapter
{
    public const string Type = "PREFIX_TUNING";

    public override string PeftType => Type;
    public override VirtualTokenKind Kind => VirtualTokenKind.KeysValues;

    private PrefixTuningAdapter(DecoderModel model, string name, PromptLearningConfig sizes, PrefixEncoder encoder, JsonObject fields)
        : base(model, name, sizes, encoder, fields) { }

    /// <summary>Attaches prefix tuning with <paramref name="numVirtualTokens"/> key/value positions per layer.</summary>
    public static PrefixTuningAdapter Attach(DecoderModel model, int numVirtualTokens, bool prefixProjection = false,
        int? encoderHiddenSize = null, bool zeroInit = false, string adapterName = "default", ulong seed = 0)
    {
        var sizes = PromptLearningConfig.For(model.Config, numVirtualTokens, keyValueSizes: true);
        int hidden = encoderHiddenSize ?? sizes.TokenDim;
        if (hidden < 1) throw new ArgumentException($"Prefix tuning: encoder_hidden_size {hidden} must be positive.");
        using var outside = TensorScope.Outside();
        var encoder = new PrefixEncoder(numVirtualTokens, sizes.TokenDim, sizes.NumLayers, hidden, prefixProjection, zeroInit, new Generator(seed));
        var fields = new JsonObject { ["prefix_projection"] = prefixProjection, ["encoder_hidden_size"] = hidden, ["init_weights"] = zeroInit ? "zero" : null };
        return new PrefixTuningAdapter(model, adapterName, sizes, encoder, fields);
    }

    /// <summary>PeftMethods entry.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed)
    {
        var f = new PeftConfigFields(config, Type);
        var sizes = PromptLearningConfig.Read(f, model.Config, keyValueSizes: true);
        bool projection = f.Bool("prefix_projection") ?? false;
        int? hidden = f.Int("encoder_hidden_size");
        var init = f.String("init_weights");
        if (init is not null && init != "zero") throw new ArgumentException($"adapter_config.json: init_weights '{init}' is not null or \"zero\".");
        f.Done();
        return Attach(model, sizes.NumVirtualTokens, projection, hidden, init == "zero", adapterName, seed);
    }

    protected override int Width => Sizes.NumLayers * 2 * Sizes.TokenDim;

    /// <summary>Layer <paramref name="layer"/>'s keys and values [B, Hkv, NV, hd] (PEFT's view [NV, 2L, Hkv, hd] of the encoder output).</summary>
    public override (Tensor K, Tensor V) KeysValues(int layer, int batch)
    {
        int nv = Count, td = Sizes.TokenDim, heads = Sizes.NumAttentionHeads, hd = td / heads;
        var kv = Encoder switch
        {
            PrefixEncoder pe => pe.Columns(2 * layer * td, 2 * td),
            PromptEmbedding table => table.Weight.Narrow(1, 2 * layer * td, 2 * td),
            _ => throw new InvalidOperationException("prefix tuning: unexpected encoder."),
        };                                                                             // (NV, 2·Hkv·hd)
        kv = kv.Reshape(nv, 2, heads, hd).Permute(1, 2, 0, 3);                         // (2, Hkv, NV, hd)
        return (kv.Narrow(0, 0, 1).Expand(batch, heads, nv, hd), kv.Narrow(0, 1, 1).Expand(batch, heads, nv, hd));
    }
}
