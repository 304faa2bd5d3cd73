// GgufTensorNames: declarative Hugging Face ↔ GGUF tensor-name tables (llama.cpp llama-arch.cpp
// LLM_TENSOR_NAMES and convert_hf_to_gguf.py). "{i}" stands for the block index. One row per tensor.
using System.Text.RegularExpressions;
using SharpLM.Formats;
using SharpLM.Formats.Gguf;

namespace SharpLM.Models.Formats.Gguf;

/// <summary>One row of a name table: a Hugging Face name pattern and its GGUF counterpart.</summary>
public sealed record TensorNameRule(string Hf, string Gguf);

/// <summary>HF ↔ GGUF tensor names for the families SharpLM converts.</summary>
public static partial class GgufTensorNames
{
    /// <summary>LLaMA (also Mistral and other LLaMA-style models).</summary>
    public static readonly IReadOnlyList<TensorNameRule> Llama =
    [
        new("model.embed_tokens.weight", "token_embd.weight"),
        new("model.norm.weight", "output_norm.weight"),
        new("lm_head.weight", "output.weight"),
        new("model.layers.{i}.input_layernorm.weight", "blk.{i}.attn_norm.weight"),
        new("model.layers.{i}.self_attn.q_proj.weight", "blk.{i}.attn_q.weight"),
        new("model.layers.{i}.self_attn.k_proj.weight", "blk.{i}.attn_k.weight"),
        new("model.layers.{i}.self_attn.v_proj.weight", "blk.{i}.attn_v.weight"),
        new("model.layers.{i}.self_attn.o_proj.weight", "blk.{i}.attn_output.weight"),
        new("model.layers.{i}.post_attention_layernorm.weight", "blk.{i}.ffn_norm.weight"),
        new("model.layers.{i}.mlp.gate_proj.weight", "blk.{i}.ffn_gate.weight"),
        new("model.layers.{i}.mlp.up_proj.weight", "blk.{i}.ffn_up.weight"),
        new("model.layers.{i}.mlp.down_proj.weight", "blk.{i}.ffn_down.weight"),
    ];

    /// <summary>Qwen2: the LLaMA table plus q/k/v biases.</summary>
    public static readonly IReadOnlyList<TensorNameRule> Qwen2 =
    [
        .. Llama,
        new("model.layers.{i}.self_attn.q_proj.bias", "blk.{i}.attn_q.bias"),
        new("model.layers.{i}.self_attn.k_proj.bias", "blk.{i}.attn_k.bias"),
        new("model.layers.{i}.self_attn.v_proj.bias", "blk.{i}.attn_v.bias"),
    ];

    /// <summary>Qwen3: the LLaMA table plus the per-head q/k RMSNorm weights.</summary>
    public static readonly IReadOnlyList<TensorNameRule> Qwen3 =
    [
        .. Llama,
        new("model.layers.{i}.self_attn.q_norm.weight", "blk.{i}.attn_q_norm.weight"),
        new("model.layers.{i}.self_attn.k_norm.weight", "blk.{i}.attn_k_norm.weight"),
    ];

    /// <summary>GPT-2 (HF names without the "transformer." prefix are accepted too, see <see cref="ToGguf"/>).
    /// Note HF GPT-2 uses Conv1D, so its c_attn/c_proj/c_fc weights are stored [in, out] and are transposed on conversion.</summary>
    public static readonly IReadOnlyList<TensorNameRule> Gpt2 =
    [
        new("transformer.wte.weight", "token_embd.weight"),
        new("transformer.wpe.weight", "position_embd.weight"),
        new("transformer.ln_f.weight", "output_norm.weight"),
        new("transformer.ln_f.bias", "output_norm.bias"),
        new("lm_head.weight", "output.weight"),
        new("transformer.h.{i}.ln_1.weight", "blk.{i}.attn_norm.weight"),
        new("transformer.h.{i}.ln_1.bias", "blk.{i}.attn_norm.bias"),
        new("transformer.h.{i}.attn.c_attn.weight", "blk.{i}.attn_qkv.weight"),
        new("transformer.h.{i}.attn.c_attn.bias", "blk.{i}.attn_qkv.bias"),
        new("transformer.h.{i}.attn.c_proj.weight", "blk.{i}.attn_output.weight"),
        new("transformer.h.{i}.attn.c_proj.bias", "blk.{i}.attn_output.bias"),
        new("transformer.h.{i}.ln_2.weight", "blk.{i}.ffn_norm.weight"),
        new("transformer.h.{i}.ln_2.bias", "blk.{i}.ffn_norm.bias"),
        new("transformer.h.{i}.mlp.c_fc.weight", "blk.{i}.ffn_up.weight"),
        new("transformer.h.{i}.mlp.c_fc.bias", "blk.{i}.ffn_up.bias"),
        new("transformer.h.{i}.mlp.c_proj.weight", "blk.{i}.ffn_down.weight"),
        new("transformer.h.{i}.mlp.c_proj.bias", "blk.{i}.ffn_down.bias"),
    ];

    /// <summary>The GGUF name for a HF name, or null when no rule matches.</summary>
    public static string? ToGguf(IReadOnlyList<TensorNameRule> table, string hfName)
    {
        var r = Map(table, hfName, fromHf: true);
        if (r is null && table == Gpt2 && !hfName.StartsWith("transformer.", StringComparison.Ordinal) && hfName != "lm_head.weight")
            r = Map(table, "transformer." + hfName, fromHf: true);
        return r;
    }

    /// <summary>The HF name for a GGUF name, or null when no rule matches.</summary>
    public static string? ToHf(IReadOnlyList<TensorNameRule> table, string ggufName) => Map(table, ggufName, fromHf: false);

    private static string? Map(IReadOnlyList<TensorNameRule> table, string name, bool fromHf)
    {
        foreach (var rule in table)
        {
            string from = fromHf ? rule.Hf : rule.Gguf, to = fromHf ? rule.Gguf : rule.Hf;
            int at = from.IndexOf("{i}", StringComparison.Ordinal);
            if (at < 0)
            {
                if (from == name) return to;
                continue;
            }
            string prefix = from[..at], suffix = from[(at + 3)..];
            if (name.Length <= prefix.Length + suffix.Length || !name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var index = name[prefix.Length..^suffix.Length];
            if (!LayerIndex().IsMatch(index)) continue;
            return to.Replace("{i}", index, StringComparison.Ordinal);
        }
        return null;
    }

    [GeneratedRegex("^(0|[1-9][0-9]*)$")]
    private static partial Regex LayerIndex();
}
