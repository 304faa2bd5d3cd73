// CliApp: the `sharplm` command tree and how it is run — parse, then on a parse error one line plus a hint
// (exit 1, not the whole help), else the verb, with a last-line-of-defence handler that turns any exception a
// verb did not handle into `sharplm <verb>: <message>` (exit 2, no stack trace). Tests call Run with their own
// writers and reader; Program.cs calls it with the console's.
using System.CommandLine;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

public static class CliApp
{
    /// <summary>The root command with every verb.</summary>
    internal static RootCommand Root()
    {
        var root = new RootCommand("SharpLM: train, evaluate, convert and run language models in .NET.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(PretrainCommand.CreateQuickstart());
        root.Subcommands.Add(PretrainCommand.CreatePretrain());
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(DemoCommand.CreateDemo());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(QuantizeCommand.Create());
        root.Subcommands.Add(TokenizerCommand.Create()); // tokenizer encode | decode | inspect | train
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(NGramCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        return root;
    }

    /// <summary>Runs the command line with the process's console.</summary>
    public static int Run(string[] args) => Invoke(args);

    /// <summary>Runs the command line with <paramref name="stdout"/>, <paramref name="stderr"/> and <paramref name="stdin"/>
    /// standing in for the console (the console is restored afterwards; not for concurrent use).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        TextReader oldIn = Console.In;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        Console.SetIn(stdin ?? TextReader.Null);
        InputReplaced = true;
        try { return Invoke(args); }
        finally
        {
            InputReplaced = false;
            Console.Out.Flush(); Console.Error.Flush();
            Console.SetOut(oldOut); Console.SetError(oldErr); Console.SetIn(oldIn);
        }
    }

    /// <summary>True while Run's caller supplies standard input (a test's reader), so StandardInput does not look at the process's.</summary>
    internal static bool InputReplaced { get; private set; }

    private static int Invoke(string[] args)
    {
        var parse = Root().Parse(args);
        string verb = Verb(parse);
        // --help hides parse errors in System.CommandLine; an unknown word is still a usage error (`sharplm nosuchverb --help`).
        string? error = parse.Errors.Count > 0 ? parse.Errors[0].Message
            : parse.UnmatchedTokens.Count > 0 ? $"Unrecognized command or argument '{parse.UnmatchedTokens[0]}'." : null;
        if (error is not null)
        {
            Console.Error.WriteLine(CliError.Line(verb.Length == 0 ? "" : verb, error).Replace("sharplm : ", "sharplm: "));
            Console.Error.WriteLine($"Try 'sharplm {(verb.Length == 0 ? "" : verb + " ")}--help'.");
            return CliExit.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = Console.Out, Error = Console.Error, EnableDefaultExceptionHandler = false });
        }
        catch (CliUsageException e)
        {
            return CliError.Print(verb, e.Message, CliExit.Usage);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(CliError.Line(verb, "cancelled."));
            return CliExit.Cancelled;
        }
        catch (Exception e)
        {
            return CliError.Print(verb.Length == 0 ? "sharplm" : verb, e);
        }
    }

    /// <summary>The verb path of the parsed command ("data tokenize"), empty for the root.</summary>
    private static string Verb(ParseResult parse)
    {
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null && c.Command is not RootCommand; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }
}
