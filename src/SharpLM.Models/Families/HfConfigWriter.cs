// HfConfigWriter: the inverse of HfConfig — writes a DecoderConfig as a Hugging Face config.json that
// transformers (and HfConfig.Map) read back: GPT2LMHeadModel, LlamaForCausalLM (Qwen2ForCausalLM when
// q/k/v carry biases) or BaichuanForCausalLM.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>DecoderConfig → Hugging Face config.json.</summary>
public static class HfConfigWriter
{
    public static JsonObject ToJson(DecoderConfig c) => c.Family switch
    {
        ModelFamily.Gpt2 => new JsonObject
        {
            ["architectures"] = new JsonArray("GPT2LMHeadModel"), ["model_type"] = "gpt2",
            ["vocab_size"] = c.VocabSize, ["n_embd"] = c.Dim, ["n_layer"] = c.Layers, ["n_head"] = c.Heads,
            ["n_inner"] = c.FfnDim, ["n_positions"] = c.MaxPositions, ["layer_norm_epsilon"] = c.NormEps,
            ["activation_function"] = c.Mlp switch { MlpKind.GeluTanh => "gelu_new", MlpKind.Gelu => "gelu", _ => "relu" },
            ["tie_word_embeddings"] = c.TiedEmbeddings,
        },
        ModelFamily.Llama => Llama(c, c.QkvBias ? "Qwen2ForCausalLM" : "LlamaForCausalLM", c.QkvBias ? "qwen2" : "llama"),
        ModelFamily.Baichuan => Baichuan(c),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Family, "no config.json mapping"),
    };

    private static JsonObject Llama(DecoderConfig c, string arch, string type)
    {
        var j = new JsonObject
        {
            ["architectures"] = new JsonArray(arch), ["model_type"] = type,
            ["vocab_size"] = c.VocabSize, ["hidden_size"] = c.Dim, ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads, ["num_key_value_heads"] = c.KvHeads, ["intermediate_size"] = c.FfnDim,
            ["max_position_embeddings"] = c.MaxPositions, ["rms_norm_eps"] = c.NormEps, ["rope_theta"] = c.RopeTheta,
            ["tie_word_embeddings"] = c.TiedEmbeddings, ["hidden_act"] = "silu",
        };
        if (c.RopeScaling != 1f) j["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = c.RopeScaling };
        return j;
    }

    private static JsonObject Baichuan(DecoderConfig c)
    {
        var j = new JsonObject
        {
            ["architectures"] = new JsonArray("BaichuanForCausalLM"), ["model_type"] = "baichuan",
            ["vocab_size"] = c.VocabSize, ["hidden_size"] = c.Dim, ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads, ["intermediate_size"] = c.FfnDim, ["rms_norm_eps"] = c.NormEps,
            ["tie_word_embeddings"] = c.TiedEmbeddings, ["hidden_act"] = "silu",
        };
        // Baichuan-13B (ALiBi) has model_max_length and no max_position_embeddings; HfConfig.Map keys on that.
        if (c.Positions == PositionKind.Alibi) j["model_max_length"] = c.MaxPositions; else j["max_position_embeddings"] = c.MaxPositions;
        return j;
    }

    /// <summary>Writes config.json into <paramref name="dir"/> atomically.</summary>
    public static void Write(DecoderConfig c, string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "config.json");
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson(c).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}
