// ModelTokenizer: finds the tokenizer that belongs to a model path — tokenizer.json beside the weights
// (SharpLM's character vocabulary from pretraining), as a pair of encode/decode functions for the CLI verbs.
using System.Text.Json;
using SharpLM.Text.Char;

namespace SharpLM.Cli;

internal static class ModelTokenizer
{
    /// <summary>(encode, decode) for the model at <paramref name="modelPath"/>, or an error naming what was looked for.</summary>
    public static (Func<string, int[]> Encode, Func<int[], string> Decode) For(string modelPath)
    {
        string dir = Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        string file = Path.Combine(dir, "tokenizer.json");
        if (!File.Exists(file)) throw new FileNotFoundException($"no tokenizer.json beside the model (looked for {file}).", file);
        string json = File.ReadAllText(file);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.TryGetProperty("type", out var t) && t.GetString() == "char")
        {
            var tok = CharTokenizer.FromJson(json, file);
            return (tok.Encode, ids => tok.Decode(ids));
        }
        throw new NotSupportedException($"{file}: only SharpLM character vocabularies are wired into this verb yet.");
    }
}
