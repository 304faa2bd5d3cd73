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

    /// <summary>Maps a BertForMaskedLM config.json.</summary>
    public static BertConfig FromHf(JsonElement j, string source = "config.json")
    {
        int Req(string k) => j.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
            : throw new FormatException($"{source}: required integer key '{k}' is missing for BERT.");
        string act = j.TryGetProperty("hidden_act", out var a) ? a.GetString() ?? "gelu" : "gelu";
        if (act != "gelu") throw new FormatException($"{source}: hidden_act '{act}' is not supported for BERT (expected gelu).");
        return new BertConfig
        {
            VocabSize = Req("vocab_size"), Dim = Req("hidden_size"), Layers = Req("num_hidden_layers"), Heads = Req("num_attention_heads"),
            FfnDim = Req("intermediate_size"), MaxPositions = Req("max_position_embeddings"),
            TypeVocabSize = j.TryGetProperty("type_vocab_size", out var t) ? t.GetInt32() : 2,
            NormEps = j.TryGetProperty("layer_norm_eps", out var e) ? e.GetSingle() : 1e-12f,
            Dropout = j.TryGetProperty("hidden_dropout_prob", out var d) ? d.GetSingle() : 0.1f,
        };
    }
}
