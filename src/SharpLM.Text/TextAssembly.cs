// SharpLM.Text: tokenizers (byte-level BPE, SentencePiece BPE, WordPiece, unigram), their file formats,
// trainers and chat templates. Nothing here depends on the tensor engine.
namespace SharpLM.Text;
