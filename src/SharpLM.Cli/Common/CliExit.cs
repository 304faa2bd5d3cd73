// CliExit: the exit codes every `sharplm` verb uses — 0 success, 1 a usage error (the command line itself is
// wrong: unknown verb or option, a value out of range), 2 bad input (a file or value the command line names
// cannot be used: missing, corrupt, unwritable), 130 cancelled by Ctrl+C.
namespace SharpLM.Cli.Common;

internal static class CliExit
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int BadInput = 2;
    public const int Cancelled = 130;
}
