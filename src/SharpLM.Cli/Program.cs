// sharplm: the command-line entry point. The verbs live in CliApp (one place, so the CLI tests run the same tree).
return SharpLM.Cli.CliApp.Run(args);
