// Seq2SeqConfig: the original encoder-decoder Transformer (Vaswani et al. 2017): sinusoidal positions,
// post-LN, ReLU FFN, embeddings scaled by √d and shared between encoder, decoder and output projection.
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
}
