// ModelVocabulary: the tokenizer of a source model as the tokenizer.ggml.* block of a GGUF being written, so
// `convert` and `quantize` carry the real vocabulary into the file (and `generate`/`chat` on it, or llama.cpp,
// see the same tokens). SharpLM.Text describes a tokenizer as GGUF keys; SharpLM.Models writes them — the CLI
// joins the two because neither layer may reference the other.
using SharpLM.Models.Checkpoints;
using SharpLM.Formats;
using SharpLM.Models.Formats;
using SharpLM.Text;
using SharpLM.Text.Formats;

namespace SharpLM.Cli;

internal static class ModelVocabulary
{
    /// <summary>
    /// The GGUF vocabulary of the tokenizer that belongs to <paramref name="modelPath"/>; null (a placeholder
    /// vocabulary is written) when the model has no tokenizer, or one GGUF cannot describe (SharpLM's character vocabulary).
    /// </summary>
    public static GgufVocabulary? For(string modelPath, int vocabSize)
    {
        Tokenizer tok;
        if (ModelFile.Detect(modelPath) == ModelFileFormat.Gguf) tok = GgufTokenizerLoader.Load(GgufVocabReader.Read(modelPath));
        else
        {
            string file = ModelTokenizer.TokenizerJsonPath(modelPath);
            if (!File.Exists(file) || ModelTokenizer.IsCharVocabulary(File.ReadAllText(file))) return null;
            tok = TokenizerLoader.Load(Path.GetDirectoryName(file)!);
        }
        var md = new GgufMetadata(modelPath, 3, 0, GgufVocabWriter.KeyValues(tok));
        var tokens = md.GetStringArray(GgufKeys.Tokens)!;
        if (tokens.Length != vocabSize)
            throw new ModelFormatException(modelPath, "tokenizer", $"the tokenizer has {tokens.Length} tokens, the model's vocabulary {vocabSize}");
        var sp = tok.Specials;
        return new GgufVocabulary(md.RequireString(GgufKeys.Model), tokens, md.GetFloatArray(GgufKeys.Scores) ?? new float[tokens.Length],
            md.GetInt32Array(GgufKeys.TokenType)!, BosId: sp.Bos ?? sp.Eos ?? 0, EosId: sp.Eos ?? 0, UnknownId: sp.Unk ?? 0,
            Merges: md.GetStringArray(GgufKeys.Merges), Pre: md.GetString(GgufKeys.Pre));
    }
}
