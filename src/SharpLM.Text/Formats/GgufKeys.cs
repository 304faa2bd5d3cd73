// GgufKeys: the tokenizer metadata keys of GGUF (llama.cpp's LLM_KV_TOKENIZER_*), spelled as in files.
namespace SharpLM.Text.Formats;

/// <summary>GGUF tokenizer key names.</summary>
public static class GgufKeys
{
    public const string Model = "tokenizer.ggml.model";
    public const string Pre = "tokenizer.ggml.pre";
    public const string Tokens = "tokenizer.ggml.tokens";
    public const string TokenType = "tokenizer.ggml.token_type";
    public const string Scores = "tokenizer.ggml.scores";
    public const string Merges = "tokenizer.ggml.merges";
    public const string BosId = "tokenizer.ggml.bos_token_id";
    public const string EosId = "tokenizer.ggml.eos_token_id";
    public const string UnkId = "tokenizer.ggml.unknown_token_id";
    public const string PadId = "tokenizer.ggml.padding_token_id";
    public const string SepId = "tokenizer.ggml.seperator_token_id"; // sic, as llama.cpp spells it
    public const string ClsId = "tokenizer.ggml.cls_token_id";
    public const string MaskId = "tokenizer.ggml.mask_token_id";
    public const string AddBos = "tokenizer.ggml.add_bos_token";
    public const string AddEos = "tokenizer.ggml.add_eos_token";
    public const string AddSpacePrefix = "tokenizer.ggml.add_space_prefix";
}
