// UsageTests: the command line itself — unknown verbs and options exit 1 with one line and a hint (not the whole
// help), `--help` still exits 0, and every option and argument the help lists has a description.
using System.CommandLine;
using Xunit;

namespace SharpLM.Cli.Tests;

public class UsageTests
{
    [Fact]
    public void AnUnknownVerbExitsOneEvenWithHelp()
    {
        var r = Cli.Run("nosuchverb", "--help");
        r.Fails(1, "nosuchverb");
        Assert.Contains("Try 'sharplm --help'", r.Err);
        Assert.DoesNotContain("Usage:", r.Out + r.Err);
    }

    [Fact]
    public void AnUnknownOptionExitsOneWithOneLineAndAHint()
    {
        var r = Cli.Run("model", "info", "--nosuch", "3");
        r.Fails(1, "--nosuch");
        Assert.Contains("Try 'sharplm model info --help'", r.Err);
        Assert.DoesNotContain("Usage:", r.Out + r.Err);
        Assert.True(r.Err.Trim().Split('\n').Length <= 3, r.ToString());
    }

    [Fact]
    public void HelpExitsZero()
    {
        var r = Cli.Run("--help").Succeeds();
        Assert.Contains("generate", r.Out);
        Cli.Run("data", "tokenize", "--help").Succeeds();
    }

    [Fact]
    public void EveryOptionAndArgumentHasADescription()
    {
        var missing = new List<string>();
        void Walk(Command c, string path)
        {
            if (string.IsNullOrWhiteSpace(c.Description)) missing.Add(path);
            foreach (var o in c.Options) if (string.IsNullOrWhiteSpace(o.Description)) missing.Add($"{path} {o.Name}");
            foreach (var a in c.Arguments) if (string.IsNullOrWhiteSpace(a.Description)) missing.Add($"{path} <{a.Name}>");
            foreach (var s in c.Subcommands) Walk(s, $"{path} {s.Name}");
        }
        Walk(CliApp.Root(), "sharplm");
        Assert.True(missing.Count == 0, "no description: " + string.Join("; ", missing));
    }
}
