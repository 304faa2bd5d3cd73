// TokenizerLoader: opens any supported tokenizer file by its name or by what a folder holds:
// .gguf, tokenizer.json (or a folder with it), vocab.json + merges.txt, SentencePiece .model,
// llama2.c tokenizer.bin, .tiktoken rank files. A symbolic link whose target is missing is an error naming both.
using SharpLM.Formats;

namespace SharpLM.Text.Formats;

/// <summary>Loads a tokenizer from a path, choosing the format.</summary>
public static class TokenizerLoader
{
    public static Tokenizer Load(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var name in new[] { "tokenizer.json", "tokenizer.model", "tokenizer.bin" })
                if (ModelPath.FileExists(Path.Combine(path, name))) return Load(Path.Combine(path, name));
            if (ModelPath.FileExists(Path.Combine(path, "vocab.json")) && ModelPath.FileExists(Path.Combine(path, "merges.txt")))
                return Gpt2VocabLoader.Load(Path.Combine(path, "vocab.json"), Path.Combine(path, "merges.txt"));
            var gguf = Directory.GetFiles(path, "*.gguf");
            if (gguf.Length == 1) return Load(gguf[0]);
            throw new FileNotFoundException($"{path}: no tokenizer.json, tokenizer.model, tokenizer.bin, vocab.json + merges.txt or single .gguf in this folder.");
        }
        if (!ModelPath.FileExists(path)) throw new FileNotFoundException($"{path}: no such file or folder.", path);
        string file = Path.GetFileName(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (file == "vocab.json")
        {
            string merges = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "merges.txt");
            if (!ModelPath.FileExists(merges)) throw new FileNotFoundException($"{path}: vocab.json needs merges.txt beside it ({merges}).");
            return Gpt2VocabLoader.Load(path, merges);
        }
        return ext switch
        {
            ".gguf" => GgufTokenizerLoader.Load(path),
            ".json" => HfTokenizerJsonReader.Load(path),
            ".model" => SentencePieceModelReader.LoadTokenizer(path),
            ".bin" => Llama2cTokenizerReader.Load(path),
            ".tiktoken" => TiktokenLoader.Load(path),
            _ => throw new NotSupportedException(
                $"{path}: unknown tokenizer file type \"{ext}\"; expected .gguf, tokenizer.json, vocab.json (+ merges.txt), .model, tokenizer.bin or .tiktoken."),
        };
    }
}
