// PromptFile: the prompts of `sharplm generate --prompt-file` — one prompt per line of a UTF-8 file, blank lines
// skipped, each encoded with the model's tokenizer — with errors that name the file and line.
namespace SharpLM.Cli;

internal sealed record PromptFile(string Path, IReadOnlyList<(int Line, int[] Ids)> Prompts)
{
    public static PromptFile Read(string path, Func<string, int[]> encode)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prompt file {path} not found.", path);
        var prompts = new List<(int, int[])>();
        int n = 0;
        foreach (var line in File.ReadLines(path, System.Text.Encoding.UTF8))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var ids = encode(line);
            if (ids.Length == 0) throw new ArgumentException($"{path}:{n}: the prompt encodes to no tokens.");
            prompts.Add((n, ids));
        }
        if (prompts.Count == 0) throw new ArgumentException($"{path}: no prompts (the file is empty or every line is blank); expected one prompt per line.");
        return new PromptFile(path, prompts);
    }

    /// <summary>Throws naming the first line whose prompt plus <paramref name="maxNewTokens"/> does not fit the context.</summary>
    public void CheckFits(int contextLength, int maxNewTokens)
    {
        foreach (var (line, ids) in Prompts)
            if (ids.Length + maxNewTokens > contextLength)
                throw new ArgumentException($"{Path}:{line}: the prompt is {ids.Length} tokens; with --max-tokens {maxNewTokens} it exceeds the context length {contextLength}.");
    }
}
