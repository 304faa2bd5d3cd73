// ModelFormatException: the one exception every model-file reader throws for bad input (wrong magic,
// truncation, offsets past the end, unknown types, missing shards). The message names the file, the item
// (tensor, key or header field) and what was expected versus what was found.
namespace SharpLM.Formats;

/// <summary>A model file (GGUF, safetensors, llama2.c, shard index) is malformed or unsupported.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>The file being read or written.</summary>
    public string FilePath { get; }

    /// <summary>The tensor, key or header field at fault ("" when the whole file is).</summary>
    public string Item { get; }

    /// <summary>Creates the exception; the message is "file: item: detail".</summary>
    public ModelFormatException(string filePath, string item, string detail, Exception? inner = null)
        : base($"{filePath}: {(item.Length > 0 ? item + ": " : "")}{detail}", inner)
    {
        FilePath = filePath;
        Item = item;
    }

    /// <summary>"expected X, found Y" in one place so all messages read alike.</summary>
    internal static ModelFormatException Expected(string file, string item, object expected, object found) =>
        new(file, item, $"expected {expected}, found {found}");
}
