// BertHfConfig: BertForMaskedLM config.json → BertConfig, with the same rule as the decoders: every key that
// could change the numbers is read or refused (relative position embeddings, an activation other than GELU,
// a decoder-mode BERT). Dropout probabilities only act in training.
using SharpLM.Models.Bert;
using SharpLM.Models.Families.Hf;

namespace SharpLM.Models.Families.Bert;

public static class BertHfConfig
{
    public static readonly IReadOnlyList<string> Architectures = ["BertForMaskedLM", "bert"];

    public static BertConfig FromHf(HfConfigReader r)
    {
        string act = r.String("hidden_act", "gelu");
        if (act != "gelu") throw r.Unsupported("hidden_act", $"'{act}'", "'gelu'");
        string pos = r.String("position_embedding_type", "absolute");
        if (pos != "absolute") throw r.Unsupported("position_embedding_type", $"'{pos}'", "'absolute'");
        if (r.Bool("is_decoder", false)) throw r.Unsupported("is_decoder", "true", "false (BERT as an encoder)");
        // Dropout acts in training only; the pooler_* settings and directionality (bert-base-chinese) describe the
        // pooler and the tokenizer, not the MLM forward.
        r.Accept("attention_probs_dropout_prob", "classifier_dropout", "directionality", "pooler_fc_size", "pooler_num_attention_heads",
            "pooler_num_fc_layers", "pooler_size_per_head", "pooler_type");
        return new BertConfig
        {
            VocabSize = r.Int("vocab_size"), Dim = r.Int("hidden_size"), Layers = r.Int("num_hidden_layers"), Heads = r.Int("num_attention_heads"),
            FfnDim = r.Int("intermediate_size"), MaxPositions = r.Int("max_position_embeddings"),
            TypeVocabSize = r.Int("type_vocab_size", 2), NormEps = r.Float("layer_norm_eps", 1e-12f),
            Dropout = r.Float("hidden_dropout_prob", 0.1f),
        };
    }

    /// <summary>Maps a parsed BertForMaskedLM config; keys not understood are refused.</summary>
    public static BertConfig Map(System.Text.Json.JsonElement j, string source)
    {
        var r = new HfConfigReader(j, source, HfConfig.Architecture(j));
        var c = FromHf(r);
        r.RejectUnread();
        return c;
    }
}
