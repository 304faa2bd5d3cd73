// LlamaHfConfig: LlamaForCausalLM / MistralForCausalLM config.json ↔ DecoderConfig (RMSNorm, SwiGLU, RoPE in
// the halves layout, GQA). Every key of transformers' LlamaConfig/MistralConfig is either mapped or refused
// when its value would change the numbers (hidden_act other than silu, mlp_bias, head_dim ≠ hidden/heads,
// an active sliding window, RoPE rules other than default/linear).
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Llama;

/// <summary>HF config mapping of the LLaMA family (LLaMA 1/2, Mistral; Qwen2 reuses it with q/k/v biases).</summary>
public static class LlamaHfConfig
{
    /// <param name="qkvBias">Qwen2: biases on q/k/v (no config switch).</param>
    /// <param name="defaults">transformers' defaults of the architecture's config class for omitted keys (LlamaConfig's when null).</param>
    public static DecoderConfig FromHf(HfConfigReader r, bool qkvBias = false, LlamaHfDefaults? defaults = null)
    {
        var d = defaults ?? LlamaHfDefaults.Llama(qkvBias);
        int dim = r.Int("hidden_size"), heads = r.Int("num_attention_heads");
        var rope = HfRope.Read(r, d.RopeTheta);
        string act = r.String("hidden_act", "silu");
        if (act != "silu") throw r.Unsupported("hidden_act", $"'{act}'", "'silu' (SwiGLU)");
        if (r.Bool("mlp_bias", false)) throw r.Unsupported("mlp_bias", "true", "false");
        int headDim = 0;   // 0: dim / heads (DecoderConfig.Validate names a dim that does not divide)
        if ((r.IntOrNull("head_dim") ?? d.HeadDim) is int hd && hd * heads != dim)
            headDim = d.HeadDim is not null ? hd :
                throw r.Unsupported("head_dim", hd.ToString(), $"hidden_size/num_attention_heads = {dim / heads}");
        // transformers' attention_bias puts biases on q, k, v and o_proj; SharpLM's LLaMA layout has no o_proj bias.
        if (r.Bool("attention_bias", false)) throw r.Unsupported("attention_bias", "true", "false (q/k/v/o biases in the LLaMA layout are not supported)");
        int maxPositions = r.Int("max_position_embeddings", d.MaxPositions);
        HfSlidingWindow.Check(r, maxPositions, enabledByDefault: d.SlidingWindow);
        r.Accept("pretraining_tp", "attention_dropout"); // pretraining_tp splits the same matmul into slices
        if (r.Bool("use_mrope", false)) throw r.Unsupported("use_mrope", "true", "false (multimodal RoPE is not supported)");
        return (LlamaFamily.Llama2_7B with
        {
            VocabSize = r.Int("vocab_size"), Dim = dim, Layers = r.Int("num_hidden_layers"), Heads = heads,
            KvHeads = r.Int("num_key_value_heads", heads), FfnDim = r.Int("intermediate_size"),
            MaxPositions = maxPositions, NormEps = r.Float("rms_norm_eps", d.RmsNormEps),
            RopeTheta = rope.Theta, RopeScaling = rope.LinearFactor,
            QkvBias = qkvBias, ProjBias = false, ExplicitHeadDim = headDim,
            TiedEmbeddings = r.Bool("tie_word_embeddings", d.TiedEmbeddings),
        }).Validate();
    }

    /// <summary>Throws unless the LLaMA (or, with <paramref name="qkvBias"/>, Qwen2; with <paramref name="qwen3"/>, Qwen3) format can store <paramref name="c"/>.</summary>
    public static void RequireExpressible(DecoderConfig c, bool qkvBias, bool qwen3 = false) =>
        FamilyExpressibility.Require(c, qwen3 ? "Qwen3" : qkvBias ? "Qwen2" : "LLaMA", NormKind.RmsNorm, true, [PositionKind.Rotary], [MlpKind.SwiGlu], qkvBias, false,
            qkHeadNorm: qwen3, explicitHeadDim: qwen3);

    public static JsonObject ToHf(DecoderConfig c, string architecture, string modelType, bool qwen3 = false)
    {
        RequireExpressible(c, c.QkvBias, qwen3);
        var j = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture), ["model_type"] = modelType,
            ["vocab_size"] = c.VocabSize, ["hidden_size"] = c.Dim, ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads, ["num_key_value_heads"] = c.KvHeads, ["intermediate_size"] = c.FfnDim,
            ["max_position_embeddings"] = c.MaxPositions, ["rms_norm_eps"] = c.NormEps, ["rope_theta"] = c.RopeTheta,
            ["tie_word_embeddings"] = c.TiedEmbeddings, ["hidden_act"] = "silu",
        };
        if (qwen3) j["head_dim"] = c.HeadDim;   // Qwen3Config's default is 128, not hidden/heads: always written
        if (c.RopeScaling != 1f) j["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = c.RopeScaling };
        return j;
    }
}
