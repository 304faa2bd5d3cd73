// BaichuanHfConfig: BaichuanForCausalLM (remote code) config.json ↔ DecoderConfig. Baichuan-7B is LLaMA with a
// fused W_pack q/k/v; Baichuan-13B replaces RoPE with ALiBi, and its config says so only by having
// model_max_length and no max_position_embeddings.
using System.Text.Json.Nodes;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families.Baichuan;

public static class BaichuanHfConfig
{
    public static DecoderConfig FromHf(HfConfigReader r)
    {
        int heads = r.Int("num_attention_heads");
        bool alibi = !r.Has("max_position_embeddings");
        string act = r.String("hidden_act", "silu");
        if (act != "silu") throw r.Unsupported("hidden_act", $"'{act}'", "'silu' (SwiGLU)");
        int maxPositions = alibi ? r.Int("model_max_length", 4096) : r.Int("max_position_embeddings");
        r.Accept("model_max_length", "z_loss_weight"); // tokenizer length limit; z-loss only acts in training
        var rope = alibi ? new RopeSettings(10000f, 1f) : HfRope.Read(r);
        return (BaichuanFamily.Baichuan7B with
        {
            VocabSize = r.Int("vocab_size"), Dim = r.Int("hidden_size"), Layers = r.Int("num_hidden_layers"), Heads = heads,
            KvHeads = heads, FfnDim = r.Int("intermediate_size"), MaxPositions = maxPositions,
            NormEps = r.Float("rms_norm_eps", 1e-6f), Positions = alibi ? PositionKind.Alibi : PositionKind.Rotary,
            RopeTheta = rope.Theta, RopeScaling = rope.LinearFactor,
            TiedEmbeddings = r.Bool("tie_word_embeddings", false),
        }).Validate();
    }

    public static void RequireExpressible(DecoderConfig c) =>
        FamilyExpressibility.Require(c, "Baichuan", NormKind.RmsNorm, true, [PositionKind.Rotary, PositionKind.Alibi], [MlpKind.SwiGlu], false, false);

    public static JsonObject ToHf(DecoderConfig c)
    {
        RequireExpressible(c);
        var j = new JsonObject
        {
            ["architectures"] = new JsonArray("BaichuanForCausalLM"), ["model_type"] = "baichuan",
            ["vocab_size"] = c.VocabSize, ["hidden_size"] = c.Dim, ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads, ["intermediate_size"] = c.FfnDim, ["rms_norm_eps"] = c.NormEps,
            ["tie_word_embeddings"] = c.TiedEmbeddings, ["hidden_act"] = "silu",
        };
        if (c.Positions == PositionKind.Alibi) j["model_max_length"] = c.MaxPositions;
        else
        {
            j["max_position_embeddings"] = c.MaxPositions;
            if (c.RopeTheta != 10000f) j["rope_theta"] = c.RopeTheta;
            if (c.RopeScaling != 1f) j["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = c.RopeScaling };
        }
        return j;
    }
}
