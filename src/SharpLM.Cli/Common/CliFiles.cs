// CliFiles: the checks a verb makes on the paths its command line names before it starts the work — an input
// file exists and is a file, an output folder (or a file's folder) can be written — so a read-only folder or a
// typo fails in a second with the path named instead of after an hour of training, and nothing is left behind.
namespace SharpLM.Cli.Common;

internal static class CliFiles
{
    /// <summary>Throws naming <paramref name="path"/> unless it is an existing file; <paramref name="expected"/> says what it should be.</summary>
    public static string RequireFile(string path, string expected)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected {expected}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected {expected}.", path);
        return path;
    }

    /// <summary>Checks that files can be created in folder <paramref name="dir"/> (created if missing, as the verb would),
    /// by creating and deleting a probe file; throws naming the folder when not.</summary>
    public static void RequireWritableFolder(string dir)
    {
        dir = Path.GetFullPath(dir);
        if (File.Exists(dir)) throw new InvalidDataException($"{dir}: is a file; expected a folder to write into.");
        bool existed = Directory.Exists(dir);
        string probe = Path.Combine(dir, $".sharplm-write-check-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(dir);
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!existed) TryDeleteEmpty(dir);
            throw new InvalidDataException($"{dir}: cannot write here ({Reason(e)}); expected a writable folder.", e);
        }
    }

    /// <summary>Checks that <paramref name="file"/> can be written: its folder is writable and it is not a folder itself.</summary>
    public static void RequireWritableFile(string file)
    {
        file = Path.GetFullPath(file);
        if (Directory.Exists(file)) throw new InvalidDataException($"{file}: is a folder; expected a file path to write.");
        RequireWritableFolder(Path.GetDirectoryName(file)!);
    }

    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        IOException io when io.HResult == 28 || io.Message.Contains("space", StringComparison.OrdinalIgnoreCase) => "no space left on the device",
        _ => e.Message.TrimEnd('.'),
    };

    private static void TryDeleteEmpty(string dir)
    {
        try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
