// NamedPreTokenizers: the regex sequences behind the pre-tokenizer names of GGUF's tokenizer.ggml.pre
// (llama.cpp's LLAMA_VOCAB_PRE_TYPE_*), written from the patterns in each model's tokenizer.json.
namespace SharpLM.Text.PreTokenization;

/// <summary>Maps a GGUF pre-tokenizer name to its regex sequence.</summary>
public static class NamedPreTokenizers
{
    private const string Qwen2 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The names this build knows.</summary>
    public static readonly IReadOnlyList<string> Known =
        ["default", "gpt-2", "gpt2", "mpt", "olmo", "jais", "deepseek-coder", "llama3", "llama-bpe", "smaug-bpe",
         "starcoder", "refact", "command-r", "smollm", "codeshell", "falcon", "qwen2", "stablelm2", "cl100k", "o200k"];

    /// <summary>Regexes for <paramref name="name"/>, or null when the name is not known.</summary>
    public static string[]? Patterns(string? name) => (name ?? "default") switch
    {
        "default" or "gpt-2" or "gpt2" or "mpt" or "olmo" or "jais" => [PreTokenizerPatterns.Gpt2],
        "deepseek-coder" => [@"[\r\n]", @"\s?\p{L}+", @"\s?\p{P}+", "[一-龥ࠀ-一가-퟿]+", @"\p{N}"],
        "llama3" or "llama-bpe" or "smaug-bpe" => [PreTokenizerPatterns.Llama3],
        "starcoder" or "refact" or "command-r" or "smollm" or "codeshell" => [@"\p{N}", PreTokenizerPatterns.Gpt2],
        "falcon" => [@"[\p{P}\$\+<=>\^~\|`]+", PreTokenizerPatterns.Gpt2, "[0-9][0-9][0-9]"],
        "qwen2" or "stablelm2" => [Qwen2],
        "cl100k" => [PreTokenizerPatterns.Cl100k],
        "o200k" => [PreTokenizerPatterns.O200k],
        _ => null,
    };
}
