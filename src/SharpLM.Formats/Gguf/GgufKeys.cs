// GgufKeys: metadata key names used by llama.cpp (gguf-py constants.py / llama-arch.cpp). Per-architecture
// keys are "{arch}.…"; the LLaMA ones are spelled out, and Arch(...) builds them for other architectures.
namespace SharpLM.Formats.Gguf;

/// <summary>Well-known GGUF metadata keys.</summary>
public static class GgufKeys
{
    // general.*
    public const string GeneralArchitecture = "general.architecture";
    public const string GeneralName = "general.name";
    public const string GeneralAlignment = "general.alignment";
    public const string GeneralQuantizationVersion = "general.quantization_version";
    public const string GeneralFileType = "general.file_type";

    // llama.* hyper-parameters
    public const string LlamaContextLength = "llama.context_length";
    public const string LlamaEmbeddingLength = "llama.embedding_length";
    public const string LlamaBlockCount = "llama.block_count";
    public const string LlamaFeedForwardLength = "llama.feed_forward_length";
    public const string LlamaHeadCount = "llama.attention.head_count";
    public const string LlamaHeadCountKv = "llama.attention.head_count_kv";
    public const string LlamaRmsEpsilon = "llama.attention.layer_norm_rms_epsilon";
    public const string LlamaRopeFreqBase = "llama.rope.freq_base";
    public const string LlamaRopeDimensionCount = "llama.rope.dimension_count";
    public const string LlamaVocabSize = "llama.vocab_size";

    /// <summary>"{arch}.{suffix}", e.g. Arch("gpt2", ContextLengthSuffix) = "gpt2.context_length".</summary>
    public static string Arch(string arch, string suffix) => arch + "." + suffix;
    public const string ContextLengthSuffix = "context_length";
    public const string EmbeddingLengthSuffix = "embedding_length";
    public const string BlockCountSuffix = "block_count";
    public const string FeedForwardLengthSuffix = "feed_forward_length";
    public const string HeadCountSuffix = "attention.head_count";
    public const string HeadCountKvSuffix = "attention.head_count_kv";
    public const string LayerNormEpsilonSuffix = "attention.layer_norm_epsilon";
    public const string RmsEpsilonSuffix = "attention.layer_norm_rms_epsilon";
    public const string RopeFreqBaseSuffix = "rope.freq_base";
    public const string RopeDimensionCountSuffix = "rope.dimension_count";
    public const string RopeScalingTypeSuffix = "rope.scaling.type";
    public const string RopeScalingFactorSuffix = "rope.scaling.factor";
    /// <summary>The older single key for linear scaling (llama.cpp still reads it).</summary>
    public const string RopeScaleLinearSuffix = "rope.scale_linear";
    public const string RopeScalingOriginalContextSuffix = "rope.scaling.original_context_length";
    public const string RopeScalingFinetunedSuffix = "rope.scaling.finetuned";
    public const string KeyLengthSuffix = "attention.key_length";
    public const string ValueLengthSuffix = "attention.value_length";
    public const string SlidingWindowSuffix = "attention.sliding_window";
    public const string MaxAlibiBiasSuffix = "attention.max_alibi_bias";
    public const string ExpertCountSuffix = "expert_count";
    public const string ExpertUsedCountSuffix = "expert_used_count";
    public const string VocabSizeSuffix = "vocab_size";

    // tokenizer.ggml.*
    public const string TokenizerModel = "tokenizer.ggml.model";
    public const string TokenizerPre = "tokenizer.ggml.pre";
    public const string TokenizerTokens = "tokenizer.ggml.tokens";
    public const string TokenizerTokenType = "tokenizer.ggml.token_type";
    public const string TokenizerScores = "tokenizer.ggml.scores";
    public const string TokenizerMerges = "tokenizer.ggml.merges";
    public const string TokenizerBosId = "tokenizer.ggml.bos_token_id";
    public const string TokenizerEosId = "tokenizer.ggml.eos_token_id";
    public const string TokenizerUnknownId = "tokenizer.ggml.unknown_token_id";
    public const string TokenizerSeparatorId = "tokenizer.ggml.seperator_token_id"; // sic: llama.cpp's spelling
    public const string TokenizerPaddingId = "tokenizer.ggml.padding_token_id";
    public const string TokenizerClsId = "tokenizer.ggml.cls_token_id";
    public const string TokenizerMaskId = "tokenizer.ggml.mask_token_id";
    public const string TokenizerAddBos = "tokenizer.ggml.add_bos_token";
    public const string TokenizerAddEos = "tokenizer.ggml.add_eos_token";
    public const string TokenizerAddSpacePrefix = "tokenizer.ggml.add_space_prefix";
    public const string TokenizerChatTemplate = "tokenizer.chat_template";
}
