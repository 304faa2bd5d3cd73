// Gpt2HfConfig: GPT2LMHeadModel config.json ↔ DecoderConfig (learned positions, LayerNorm, GELU, biases, tied
// head). GPT-2's attention switches that change the numbers (scale_attn_weights off, scaling by the inverse
// layer index) are refused; dropout probabilities and the sequence-summary head settings do not touch the LM.
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Gpt2;

public static class Gpt2HfConfig
{
    public static DecoderConfig FromHf(HfConfigReader r)
    {
        int dim = r.Int("n_embd"), heads = r.Int("n_head");
        string act = r.String("activation_function", "gelu_new");
        var mlp = act switch
        {
            "gelu_new" or "gelu_pytorch_tanh" => MlpKind.GeluTanh, "gelu" => MlpKind.Gelu, "relu" => MlpKind.Relu,
            _ => throw new FormatException($"{r.Source}: activation_function '{act}' is not supported (expected gelu_new, gelu or relu)."),
        };
        if (!r.Bool("scale_attn_weights", true)) throw r.Unsupported("scale_attn_weights", "false", "true");
        if (r.Bool("scale_attn_by_inverse_layer_idx", false)) throw r.Unsupported("scale_attn_by_inverse_layer_idx", "true", "false");
        int positions = r.Int("n_positions");
        if (r.IntOrNull("n_ctx") is int ctx && ctx != positions) throw r.Unsupported("n_ctx", ctx.ToString(), $"n_positions ({positions})");
        // Dropout only acts in training; the summary_* keys configure GPT2DoubleHeadsModel's classifier head;
        // reorder_and_upcast_attn only changes the precision PyTorch computes attention in.
        r.Accept("resid_pdrop", "embd_pdrop", "attn_pdrop", "summary_type", "summary_use_proj", "summary_activation",
            "summary_proj_to_labels", "summary_first_dropout", "reorder_and_upcast_attn",
            "n_special", "predict_special_tokens"); // left over from OpenAI GPT's config (gpt2-medium/large carry them); unused by GPT-2
        return (Gpt2Family.Gpt2Small with
        {
            VocabSize = r.Int("vocab_size"), Dim = dim, Layers = r.Int("n_layer"), Heads = heads, KvHeads = heads,
            FfnDim = r.Int("n_inner", 4 * dim), MaxPositions = positions, NormEps = r.Float("layer_norm_epsilon", 1e-5f),
            Mlp = mlp, TiedEmbeddings = r.Bool("tie_word_embeddings", true),
        }).Validate();
    }

    public static void RequireExpressible(DecoderConfig c) =>
        FamilyExpressibility.Require(c, "GPT-2", NormKind.LayerNorm, true, [PositionKind.Learned], [MlpKind.GeluTanh, MlpKind.Gelu, MlpKind.Relu], true, true);

    public static JsonObject ToHf(DecoderConfig c) => RequireExpressibleThen(c, new()
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"), ["model_type"] = "gpt2",
        ["vocab_size"] = c.VocabSize, ["n_embd"] = c.Dim, ["n_layer"] = c.Layers, ["n_head"] = c.Heads,
        ["n_inner"] = c.FfnDim, ["n_positions"] = c.MaxPositions, ["layer_norm_epsilon"] = c.NormEps,
        ["activation_function"] = c.Mlp switch { MlpKind.GeluTanh => "gelu_new", MlpKind.Gelu => "gelu", _ => "relu" },
        ["tie_word_embeddings"] = c.TiedEmbeddings,
    });

    private static JsonObject RequireExpressibleThen(DecoderConfig c, JsonObject j) { RequireExpressible(c); return j; }
}
