// JinjaException: a template error (syntax or rendering) with the 1-based line and column it refers to.
namespace SharpLM.Text.ChatTemplates.Jinja;

/// <summary>A syntax or rendering error in a Jinja template, located by line and column.</summary>
public sealed class JinjaException : Exception
{
    public JinjaException(string message, int line, int column)
        : base(line > 0 ? $"line {line}, column {column}: {message}" : message)
    {
        Line = line;
        Column = column;
        Reason = message;
    }

    /// <summary>1-based line of the offending token (0 when unknown).</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending token.</summary>
    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Reason { get; }
}
