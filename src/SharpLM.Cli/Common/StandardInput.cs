// StandardInput: reading what a verb takes from standard input (tokenizer encode/decode without an argument,
// chat's turns) without hanging: a terminal with nothing piped is a usage error that says what to pipe, and a
// closed standard input (`<&-`) reads as empty instead of blocking on whatever file descriptor 0 has become.
namespace SharpLM.Cli.Common;

internal static class StandardInput
{
    /// <summary>All of standard input; throws a usage error when it is an interactive terminal (nothing piped).</summary>
    public static string ReadAll(string what)
    {
        if (IsTerminal) throw new CliUsageException($"no input: give {what} as an argument or pipe it on standard input.");
        return IsClosed ? "" : Console.In.ReadToEnd();
    }

    /// <summary>One line of standard input, or null at its end (and when it is closed).</summary>
    public static string? ReadLine() => IsClosed ? null : Console.In.ReadLine();

    /// <summary>Standard input is the process's terminal (not redirected, and not replaced by a test's reader).</summary>
    private static bool IsTerminal => !CliApp.InputReplaced && !Console.IsInputRedirected;

    /// <summary>File descriptor 0 was closed when the process started (`<&-`): the runtime's first open then took number 0 —
    /// seen as an internal pipe whose other end this process itself holds — so reading it would block forever. On Linux,
    /// /proc/self/fd shows it: descriptor 0 names something (a pipe, a file, an anonymous inode) that another descriptor
    /// of this process (other than stdout and stderr) also names.</summary>
    private static bool IsClosed
    {
        get
        {
            if (CliApp.InputReplaced || !OperatingSystem.IsLinux()) return false;
            try
            {
                if (new FileInfo("/proc/self/fd/0").LinkTarget is not { } zero) return true;
                if (zero.StartsWith("anon_inode:", StringComparison.Ordinal)) return true;
                foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
                {
                    string name = Path.GetFileName(fd);
                    if (name is "0" or "1" or "2") continue;
                    string? target = null;
                    try { target = new FileInfo(fd).LinkTarget; } catch (IOException) { } catch (UnauthorizedAccessException) { }
                    if (target == zero) return true;
                }
                return false;
            }
            catch (IOException) { return true; }
            catch (UnauthorizedAccessException) { return false; }
        }
    }
}

/// <summary>A command line that cannot work as given, found after parsing (exit 1, like a parse error).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
