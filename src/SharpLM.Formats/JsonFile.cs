// JsonFile: parses a JSON file that a user named (tokenizer.json, vocab.json, tokenizer_config.json, …) with the
// error a CLI user can act on — the path, "empty" or where the JSON stops being valid, and what the file should
// be — instead of System.Text.Json's message about the reader's internal state.
using System.Text.Json;

namespace SharpLM.Formats;

public static class JsonFile
{
    /// <summary>The parsed document of <paramref name="path"/>; <paramref name="expected"/> says what the file should hold
    /// ("a Hugging Face tokenizer.json object"). Throws InvalidDataException naming the file when it is empty or not JSON.</summary>
    public static JsonDocument Parse(string path, string expected, JsonDocumentOptions options = default)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new InvalidDataException($"{path}: the file is empty; expected {expected}.");
        try { return JsonDocument.Parse(bytes, options); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {Where(e)}; expected {expected}.", e); }
    }

    /// <summary>"not valid JSON at line L, byte B" (or "truncated JSON …" when the text ends early).</summary>
    public static string Where(JsonException e)
    {
        string at = e.LineNumber is { } l ? $" at line {l + 1}, byte {e.BytePositionInLine + 1}" : "";
        bool truncated = e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("Expected depth to be zero", StringComparison.OrdinalIgnoreCase);
        return (truncated ? "truncated JSON (the text ends early)" : "not valid JSON") + at;
    }
}
