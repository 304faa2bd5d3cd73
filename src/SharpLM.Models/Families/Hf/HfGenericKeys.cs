// HfGenericKeys: attributes every transformers PretrainedConfig may carry (and generation defaults saved
// with it) that do not change a model's forward numbers: bookkeeping, token ids, label maps, generation
// settings, dtype, caching, training-only knobs. Anything else must be read by the family's mapping.
// `quantization_config` is deliberately absent: a quantised checkpoint's weights mean something else.
namespace SharpLM.Models.Families.Hf;

/// <summary>Generic config.json keys known not to change the numbers.</summary>
public static class HfGenericKeys
{
    private static readonly HashSet<string> Harmless = new(StringComparer.Ordinal)
    {
        // identity and bookkeeping
        "architectures", "model_type", "_name_or_path", "transformers_version", "_commit_hash", "auto_map",
        "_attn_implementation", "_attn_implementation_autoset", "attn_implementation", "_from_model_config",
        "torch_dtype", "dtype", "use_bfloat16", "torchscript", "return_dict", "output_hidden_states",
        "output_attentions", "use_return_dict", "tf_legacy_loss", "tokenizer_class", "prefix", "finetuning_task",
        "task_specific_params", "problem_type", "id2label", "label2id", "num_labels", "pruned_heads",
        "chunk_size_feed_forward", "is_decoder", "is_encoder_decoder", "add_cross_attention", "tie_encoder_decoder",
        "cross_attention_hidden_size", "use_cache", "initializer_range", "gradient_checkpointing",
        // legacy bookkeeping older transformers versions saved (distilgpt2, early GPT-2/BERT exports)
        "_num_labels", "output_past", "xla_device",
        // special token ids
        "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id", "decoder_start_token_id", "unk_token_id",
        // generation defaults (the generator takes its own settings)
        "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
    };

    /// <summary>Whether <paramref name="key"/> is a generic attribute that never changes the forward numbers.</summary>
    public static bool IsHarmless(string key) => Harmless.Contains(key);
}
