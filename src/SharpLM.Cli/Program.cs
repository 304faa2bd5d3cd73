// sharplm: the command-line entry point. Each verb is a thin wrapper over a library call.
using System.CommandLine;
using SharpLM.Cli;

var root = new RootCommand("SharpLM: train, fine-tune, align, evaluate and serve language models in .NET.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(PretrainCommand.CreateQuickstart());
root.Subcommands.Add(PretrainCommand.CreatePretrain());
root.Subcommands.Add(FinetuneCommand.Create());
root.Subcommands.Add(RunsCommand.Create());
root.Subcommands.Add(DemoCommand.CreateDemo());
root.Subcommands.Add(ModelCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ChatCommand.Create());
root.Subcommands.Add(QuantizeCommand.Create());
root.Subcommands.Add(TokenizerCommand.Create()); // tokenizer encode | decode | inspect | train
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(NGramCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
return root.Parse(args).Invoke();
