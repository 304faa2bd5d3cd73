// Seq2SeqConfig: the original encoder-decoder Transformer (Vaswani et al. 2017): sinusoidal positions,
// post-LN, ReLU FFN, embeddings scaled by √d and shared between encoder, decoder and output projection.
using System.Text.Json;

namespace SharpLM.Models.Seq2Seq;

/// <summary>Encoder-decoder Transformer configuration.</summary>
public sealed record Seq2SeqConfig
{
    public int VocabSize { get; init; } = 37000;
    public int Dim { get; init; } = 512;
    public int EncoderLayers { get; init; } = 6;
    public int DecoderLayers { get; init; } = 6;
    public int Heads { get; init; } = 8;
    public int FfnDim { get; init; } = 2048;
    public int MaxPositions { get; init; } = 1024;
    public float NormEps { get; init; } = 1e-5f;
    public float Dropout { get; init; } = 0.1f;
    public float InitStd { get; init; } = 0.02f;

    /// <summary>Transformer-base of the paper.</summary>
    public static readonly Seq2SeqConfig Base = new();

    /// <summary>Reads SharpLM's config.json for this model (keys in the BART/Marian style: d_model, encoder_layers, …).</summary>
    public static Seq2SeqConfig FromJson(JsonElement j, string source = "config.json")
    {
        int Req(string k) => j.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
            : throw new FormatException($"{source}: required integer key '{k}' is missing for the encoder-decoder Transformer.");
        if (j.TryGetProperty("activation_function", out var a) && a.GetString() != "relu")
            throw new FormatException($"{source}: activation_function '{a.GetString()}' is not supported (expected relu).");
        return new Seq2SeqConfig
        {
            VocabSize = Req("vocab_size"), Dim = Req("d_model"), EncoderLayers = Req("encoder_layers"), DecoderLayers = Req("decoder_layers"),
            Heads = Req("encoder_attention_heads"), FfnDim = Req("ffn_dim"), MaxPositions = Req("max_position_embeddings"),
            Dropout = j.TryGetProperty("dropout", out var d) ? d.GetSingle() : 0.1f,
        };
    }
}
