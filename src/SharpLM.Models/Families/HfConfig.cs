// HfConfig: maps a Hugging Face config.json onto SharpLM configs, by its "architectures" entry
// (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel, BaichuanForCausalLM). Missing
// optional keys take the defaults the HF classes use; missing required keys are named in the error.
using System.Text.Json;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>Hugging Face config.json → <see cref="DecoderConfig"/>.</summary>
public static class HfConfig
{
    /// <summary>Reads (a folder's) config.json and maps it; file and JSON errors are ModelFormatException.</summary>
    public static DecoderConfig Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        return Map(ConfigJson.Load(file), file);
    }

    /// <summary>Maps a parsed config; <paramref name="source"/> names it in errors.</summary>
    public static DecoderConfig Map(JsonElement j, string source = "config.json")
    {
        string arch = j.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
            ? a[0].GetString() ?? "" : j.TryGetProperty("model_type", out var mt) ? mt.GetString() ?? "" : "";
        int Req(string key) => j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
            : throw new FormatException($"{source}: required integer key '{key}' is missing for {arch}.");
        int Opt(string key, int def) => j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : def;
        float OptF(string key, float def) => j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : def;
        bool OptB(string key, bool def) => j.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : def;

        switch (arch.ToLowerInvariant())
        {
            case "gpt2lmheadmodel" or "gpt2":
            {
                int dim = Req("n_embd");
                string act = j.TryGetProperty("activation_function", out var af) ? af.GetString() ?? "gelu_new" : "gelu_new";
                return (DecoderPresets.Gpt2Small with
                {
                    VocabSize = Req("vocab_size"), Dim = dim, Layers = Req("n_layer"), Heads = Req("n_head"), KvHeads = Req("n_head"),
                    FfnDim = j.TryGetProperty("n_inner", out var ni) && ni.ValueKind == JsonValueKind.Number ? ni.GetInt32() : 4 * dim,
                    MaxPositions = Req("n_positions"), NormEps = OptF("layer_norm_epsilon", 1e-5f),
                    Mlp = act switch { "gelu_new" or "gelu_pytorch_tanh" => MlpKind.GeluTanh, "gelu" => MlpKind.Gelu, "relu" => MlpKind.Relu,
                        _ => throw new FormatException($"{source}: activation_function '{act}' is not supported (expected gelu_new, gelu or relu).") },
                    TiedEmbeddings = OptB("tie_word_embeddings", true),
                }).Validate();
            }
            case "llamaforcausallm" or "mistralforcausallm" or "qwen2forcausallm" or "llama" or "mistral" or "qwen2":
            {
                bool qwen = arch.StartsWith("qwen2", StringComparison.OrdinalIgnoreCase);
                int heads = Req("num_attention_heads");
                float scale = 1f;
                if (j.TryGetProperty("rope_scaling", out var rs) && rs.ValueKind == JsonValueKind.Object)
                {
                    string type = rs.TryGetProperty("type", out var t) ? t.GetString() ?? "" : rs.TryGetProperty("rope_type", out var t2) ? t2.GetString() ?? "" : "";
                    if (type != "linear") throw new FormatException($"{source}: rope_scaling type '{type}' is not supported (only 'linear').");
                    scale = rs.GetProperty("factor").GetSingle();
                }
                if (j.TryGetProperty("head_dim", out var hdEl) && hdEl.ValueKind == JsonValueKind.Number && hdEl.GetInt32() != Req("hidden_size") / heads)
                    throw new FormatException($"{source}: head_dim {hdEl.GetInt32()} differs from hidden_size/num_attention_heads; not supported.");
                return (DecoderPresets.Llama2_7B with
                {
                    VocabSize = Req("vocab_size"), Dim = Req("hidden_size"), Layers = Req("num_hidden_layers"), Heads = heads,
                    KvHeads = Opt("num_key_value_heads", heads), FfnDim = Req("intermediate_size"),
                    MaxPositions = Opt("max_position_embeddings", 2048), NormEps = OptF("rms_norm_eps", 1e-6f),
                    RopeTheta = OptF("rope_theta", 10000f), RopeScaling = scale,
                    QkvBias = qwen || OptB("attention_bias", false), ProjBias = false,
                    TiedEmbeddings = OptB("tie_word_embeddings", false),
                }).Validate();
            }
            case "baichuanforcausallm" or "baichuan":
            {
                int dim = Req("hidden_size");
                // Baichuan-13B replaces RoPE with ALiBi; its config has model_max_length but no max_position_embeddings.
                bool alibi = !j.TryGetProperty("max_position_embeddings", out _);
                return (DecoderPresets.Baichuan7B with
                {
                    VocabSize = Req("vocab_size"), Dim = dim, Layers = Req("num_hidden_layers"), Heads = Req("num_attention_heads"),
                    KvHeads = Req("num_attention_heads"), FfnDim = Req("intermediate_size"),
                    MaxPositions = alibi ? Opt("model_max_length", 4096) : Req("max_position_embeddings"),
                    NormEps = OptF("rms_norm_eps", 1e-6f), Positions = alibi ? PositionKind.Alibi : PositionKind.Rotary,
                    TiedEmbeddings = OptB("tie_word_embeddings", false),
                }).Validate();
            }
            default:
                throw new NotSupportedException($"{source}: architecture '{arch}' is not supported (expected LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel or BaichuanForCausalLM).");
        }
    }
}
