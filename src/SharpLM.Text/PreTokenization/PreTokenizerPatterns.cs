// PreTokenizerPatterns: the regular expressions that split text into pre-tokens before byte-level BPE,
// as published with each vocabulary (GPT-2's encoder.py, tiktoken's cl100k_base and o200k_base, Meta's
// Llama 3 tokenizer). .NET has no possessive quantifiers, so "x?+" and "x++" are written as atomic groups
// "(?>x?)" and "(?>x+)", which match the same way. Matching is over UTF-16 code units: a letter outside
// the BMP (a surrogate pair) is not \p{L} here, which differs from the Rust/Python engines for such rare
// characters; encoders that must be exact on them handle surrogates before matching.
using System.Text.RegularExpressions;

namespace SharpLM.Text.PreTokenization;

/// <summary>Named pre-tokenizer patterns of the common byte-level BPE vocabularies.</summary>
public static class PreTokenizerPatterns
{
    /// <summary>GPT-2 / GPT-3 (r50k, p50k).</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>tiktoken cl100k_base (GPT-3.5/4).</summary>
    public const string Cl100k = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?>[^\r\n\p{L}\p{N}]?)\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3 (cl100k's pattern with possessive groups).</summary>
    public const string Llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?>[^\r\n\p{L}\p{N}]?)\p{L}+|\p{N}{1,3}| ?(?>[^\s\p{L}\p{N}]+)[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>tiktoken o200k_base (GPT-4o).</summary>
    public const string O200k =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>A compiled, culture-invariant regex for a pattern.</summary>
    public static Regex Compile(string pattern) => new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
}
