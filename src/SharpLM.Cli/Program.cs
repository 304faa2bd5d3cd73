// sharplm: the command-line entry point. Each verb is a thin wrapper over a library call.
using System.CommandLine;
using SharpLM.Cli;

var root = new RootCommand("SharpLM: train, fine-tune, align, evaluate and serve language models in .NET.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(QuickstartCommand.Create());
root.Subcommands.Add(TokenizerCommand.Create());
return root.Parse(args).Invoke();
