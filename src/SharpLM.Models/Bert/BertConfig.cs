// BertConfig: hyper-parameters of BERT (Devlin et al. 2019) as in Hugging Face's BertConfig.
using System.Text.Json;

namespace SharpLM.Models.Bert;

/// <summary>BERT encoder configuration.</summary>
public sealed record BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public int Dim { get; init; } = 768;
    public int Layers { get; init; } = 12;
    public int Heads { get; init; } = 12;
    public int FfnDim { get; init; } = 3072;
    public int MaxPositions { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public float NormEps { get; init; } = 1e-12f;
    public float Dropout { get; init; } = 0.1f;
    public float InitStd { get; init; } = 0.02f;

    /// <summary>bert-base-uncased.</summary>
    public static readonly BertConfig Base = new();

    /// <summary>Maps a BertForMaskedLM config.json (Families/Bert/BertHfConfig: keys not understood are refused).</summary>
    public static BertConfig FromHf(JsonElement j, string source = "config.json") => Families.Bert.BertHfConfig.Map(j, source);
}
