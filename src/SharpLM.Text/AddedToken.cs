// AddedToken: a vocabulary entry matched verbatim in the input before the model runs (HF "added_tokens",
// GGUF control / user-defined tokens). Special ones are matched only when parsing special tokens is asked for;
// the others always (as llama.cpp and HF tokenizers do).
namespace SharpLM.Text;

/// <summary>A token matched verbatim in raw text.</summary>
public sealed record AddedToken(int Id, string Content, bool Special);
