// Cli: runs `sharplm` verbs for the tests — in-process through CliApp.Run with captured stdout/stderr (the same
// command tree Program.cs runs), or as a child process of the built program when the test is about the process
// itself (stdin closed). Tests run one at a time: CliApp swaps the console's writers.
using System.Diagnostics;
using SharpLM.TestSupport;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SharpLM.Cli.Tests;

/// <summary>What a run printed and returned.</summary>
public sealed record CliResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";

    /// <summary>Asserts the exit code and that stderr is one error line (plus at most a hint) containing each fragment.</summary>
    public CliResult Fails(int code, params string[] fragments)
    {
        Assert.True(Code == code, $"expected exit {code}: {this}");
        var lines = Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("note:") && !l.StartsWith("Try 'sharplm")).ToArray();
        Assert.True(lines.Length >= 1, $"no error line: {this}");
        string error = lines[^1];
        Assert.StartsWith("sharplm", error);
        foreach (var f in fragments) Assert.True(error.Contains(f, StringComparison.OrdinalIgnoreCase), $"'{f}' not in the error line: {this}");
        Assert.DoesNotContain("   at ", Err);                        // no stack trace
        Assert.DoesNotMatch(@"(?<![/\w.-])SharpLM\.[A-Z]\w*\.", error);  // no internal type names
        var words = error.Split(':');
        Assert.True(words.Length < 2 || words[0].Trim() != words[1].Trim(), $"doubled prefix: {error}");
        Assert.DoesNotContain("Exception", error);
        return this;
    }

    public CliResult Succeeds()
    {
        Assert.True(Code == 0, $"expected success: {this}");
        return this;
    }
}

public static class Cli
{
    /// <summary>Runs `sharplm ARGS` in-process; <paramref name="stdin"/> is what the verb reads from standard input (empty by default).</summary>
    public static CliResult RunWithInput(string stdin, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CliApp.Run(args, o, e, new StringReader(stdin));
        return new CliResult(code, o.ToString(), e.ToString());
    }

    public static CliResult Run(params string[] args) => RunWithInput("", args);

    /// <summary>The built `sharplm` program beside the test binaries (the Cli project is referenced, so it is copied here).</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, "sharplm.dll");

    /// <summary>Runs `sharplm ARGS` as a child process through a shell line <paramref name="shellTail"/> (e.g. "&lt;&amp;-" to close stdin);
    /// kills it after <paramref name="timeout"/> and reports that as exit code -1.</summary>
    public static CliResult Process(string shellTail, TimeSpan timeout, params string[] args)
    {
        string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
        string line = $"exec dotnet {Quote(Program)} {string.Join(' ', args.Select(Quote))} {shellTail}";
        var psi = new ProcessStartInfo("/bin/sh", ["-c", line]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new CliResult(-1, outTask.Result, errTask.Result + "\n(killed: still running after " + timeout + ")");
        }
        return new CliResult(p.ExitCode, outTask.Result, errTask.Result);
    }
}

/// <summary>A temporary folder per test class, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharplm-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public TempDir() => Directory.CreateDirectory(Path);

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        File.WriteAllText(this[name], text);
        return this[name];
    }

    public string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(this[name], bytes);
        return this[name];
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
