// AddedToken: a vocabulary entry matched verbatim in the input before the model runs (HF "added_tokens",
// GGUF control / user-defined tokens). Special ones are matched only when parsing special tokens is asked for;
// the others always (as llama.cpp and HF tokenizers do). LStrip / RStrip swallow the whitespace before / after a
// match (HF lstrip/rstrip; llama.cpp's LLAMA_TOKEN_ATTR_LSTRIP/RSTRIP, set by model name for GGUF vocabularies);
// SingleWord matches only where no word character touches the match (HF single_word); Normalized records HF's
// flag (the token is looked for in normalized text; only matters with a normalizer that changes it).
namespace SharpLM.Text;

/// <summary>A token matched verbatim in raw text.</summary>
public sealed record AddedToken(int Id, string Content, bool Special)
{
    public bool LStrip { get; init; }
    public bool RStrip { get; init; }
    public bool SingleWord { get; init; }
    public bool Normalized { get; init; }
}
