// JinjaTemplate: a parsed Jinja template (the subset real chat templates in tokenizer_config.json use) that
// renders against a dictionary of variables. Parse errors and rendering errors are JinjaExceptions naming the
// line and column. Hugging Face renders chat templates with trim_blocks and lstrip_blocks on; so does this by
// default.
using System.Text.Json;

namespace SharpLM.Text.ChatTemplates.Jinja;

/// <summary>A compiled Jinja template.</summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _body;

    private JinjaTemplate(IReadOnlyList<Node> body) => _body = body;

    /// <summary>Parses <paramref name="source"/>; throws <see cref="JinjaException"/> naming line and column on a syntax error.</summary>
    public static JinjaTemplate Parse(string source, bool trimBlocks = true, bool lstripBlocks = true) =>
        new(JinjaParser.Parse(JinjaLexer.Tokenize(source, trimBlocks, lstripBlocks)));

    /// <summary>
    /// Renders with <paramref name="variables"/>: values may be null, bool, int/long, double, string, lists,
    /// string-keyed dictionaries (IDictionary / IReadOnlyDictionary) or a JsonElement; they are converted to the
    /// interpreter's values.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        var globals = variables.ToDictionary(kv => kv.Key, kv => Convert(kv.Value), StringComparer.Ordinal);
        return new JinjaEvaluator(globals).Render(_body);
    }

    /// <summary>Converts a .NET or JSON value to the interpreter's representation.</summary>
    internal static object? Convert(object? v) => v switch
    {
        null or bool or long or double or string => v,
        int i => (long)i,
        float f => (double)f,
        JsonElement e => FromJson(e),
        IReadOnlyDictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Convert(kv.Value), StringComparer.Ordinal),
        IDictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Convert(kv.Value), StringComparer.Ordinal),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(Convert).ToList(),
        _ => v.ToString(),
    };

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
