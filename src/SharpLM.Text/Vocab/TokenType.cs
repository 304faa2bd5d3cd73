// TokenType: the kind of a vocabulary entry, numbered as SentencePiece's ModelProto.SentencePiece.Type and
// GGUF's tokenizer.ggml.token_type (llama.cpp's llama_token_type), so both formats map one to one.
namespace SharpLM.Text.Vocab;

/// <summary>Kind of a vocabulary entry.</summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
