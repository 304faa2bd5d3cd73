// CliError: the one-line error every `sharplm` verb prints — `sharplm <verb>: <message>` on stderr — with no
// stack trace, no .NET type names and no doubled prefix (a library message that already starts with the verb keeps
// one). Used by the verbs' own catch blocks and by CliApp's last-line-of-defence handler alike.
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SharpLM.Cli.Common;

internal static partial class CliError
{
    /// <summary>Prints the one-line error for <paramref name="verb"/> (e.g. "data tokenize") and returns the exit code for it.</summary>
    public static int Print(string verb, Exception e, int exitCode = CliExit.BadInput)
    {
        Console.Error.WriteLine(Line(verb, Describe(e)));
        return exitCode;
    }

    /// <summary>Prints <paramref name="message"/> as the verb's one-line error and returns <paramref name="exitCode"/>.</summary>
    public static int Print(string verb, string message, int exitCode = CliExit.BadInput)
    {
        Console.Error.WriteLine(Line(verb, message));
        return exitCode;
    }

    /// <summary>`sharplm VERB: MESSAGE` on one line, with any prefix the message already carries ("pretrain: ",
    /// "data tokenize: ", "error: ") removed so it is said once.</summary>
    public static string Line(string verb, string message)
    {
        string m = Sanitize(message);
        for (bool again = true; again;)
        {
            again = false;
            foreach (var prefix in Prefixes(verb))
                if (m.StartsWith(prefix + ": ", StringComparison.OrdinalIgnoreCase)) { m = m[(prefix.Length + 2)..]; again = true; }
            // A library's own prefix ("PretrainConfig: ", "ModelFile: ", "WorkerPool.SetThreads: ") names a type, not the user's input.
            var lib = LibraryPrefix().Match(m);
            if (lib.Success) { m = m[lib.Length..]; again = true; }
        }
        return $"sharplm {verb}: {m}";
    }

    private static IEnumerable<string> Prefixes(string verb)
    {
        yield return "sharplm " + verb;
        yield return verb;
        yield return verb.Replace(' ', '-');
        var words = verb.Split(' ');
        if (words.Length > 1) { yield return words[0]; yield return words[^1]; }
        yield return "error";
    }

    /// <summary>The user-facing text of an exception: its message, with JSON errors said in terms of the document
    /// (line, byte, JSON path) instead of the .NET type it was being read into.</summary>
    public static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) return Describe(a.InnerExceptions[0]);
        if (e is JsonException j)
        {
            string where = j.LineNumber is { } l ? $" at line {l + 1}, byte {j.BytePositionInLine + 1}" : "";
            string path = string.IsNullOrEmpty(j.Path) || j.Path == "$" ? "" : $" ({j.Path})";
            return j.InnerException is { } inner && inner is not JsonException
                ? $"malformed JSON{where}{path}: {Describe(inner)}"
                : $"malformed or truncated JSON{where}{path}; expected a complete JSON document.";
        }
        if (e is OutOfMemoryException) return "out of memory; use a smaller model, batch or context.";
        return e.Message;
    }

    /// <summary>Removes .NET type names (SharpLM.Training.Pretraining.PretrainConfig, System.Int32) and line breaks.</summary>
    public static string Sanitize(string message)
    {
        string m = TypeName().Replace(message, "the expected value");
        return string.Join(' ', m.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [GeneratedRegex(@"^(?:[A-Z][a-z0-9]+){2,}(?:\.\w+)?: ")]
    private static partial Regex LibraryPrefix();

    // Not inside a path: a folder named SharpLM.Cli.Tests stays as it is.
    [GeneratedRegex(@"(?<![/\\\w.-])(?:SharpLM|System|Microsoft)(?:\.[A-Za-z_][\w`]*)+(?![/\\\w-])")]
    private static partial Regex TypeName();
}
