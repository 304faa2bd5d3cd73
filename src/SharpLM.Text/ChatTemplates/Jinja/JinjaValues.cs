// JinjaValues: the runtime values of the interpreter and their Python-like behaviour. Values are plain .NET
// objects: null (None), bool, long, double, string, List<object?> (list/tuple), Dictionary<string, object?>
// (dict, insertion-ordered), plus Undefined, Namespace, LoopInfo and JinjaCallable. Printing, truthiness,
// equality, ordering and tojson follow Python/Jinja2 (str(True) == "True", json.dumps separators ", " ": ").
using System.Globalization;
using System.Text;

namespace SharpLM.Text.ChatTemplates.Jinja;

/// <summary>A missing variable, key or attribute: prints as "", is falsy, iterates as empty.</summary>
internal sealed class Undefined(string name)
{
    public string Name { get; } = name;
}

/// <summary>The mutable object namespace() returns, assignable with {% set ns.x = … %}.</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);
}

/// <summary>The "loop" variable inside a for loop.</summary>
internal sealed class LoopInfo(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }
    public IReadOnlyList<object?> Items { get; } = items;

    public object? Get(string name) => name switch
    {
        "index0" => (long)Index0,
        "index" => (long)Index0 + 1,
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (long)Items.Count,
        "revindex" => (long)(Items.Count - Index0),
        "revindex0" => (long)(Items.Count - Index0 - 1),
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : new Undefined("loop.previtem"),
        "nextitem" => Index0 + 1 < Items.Count ? Items[Index0 + 1] : new Undefined("loop.nextitem"),
        _ => new Undefined("loop." + name),
    };
}

/// <summary>A function value: globals, macros and bound methods.</summary>
internal sealed class JinjaCallable(string name, Func<List<object?>, Dictionary<string, object?>, object?> invoke)
{
    public string Name { get; } = name;
    public object? Invoke(List<object?> args, Dictionary<string, object?> kwargs) => invoke(args, kwargs);
}

internal static class JinjaValues
{
    /// <summary>Markers the chat renderer wraps assistant contents in to find their spans (private-use characters).</summary>
    public const char SpanOpen = '\uE000', SpanClose = '\uE001';

    public static bool IsUndefined(object? v) => v is Undefined;

    public static bool Truthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        Dictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        Undefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        Namespace => "Namespace",
        JinjaCallable => "function",
        _ => v.GetType().Name,
    };

    /// <summary>str(v) as Python prints it.</summary>
    public static string Str(object? v) => v switch
    {
        string s => s,
        Undefined => "",
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        _ => Repr(v),
    };

    /// <summary>repr(v) as Python prints it (lists and dicts of strings use single quotes).</summary>
    public static string Repr(object? v)
    {
        switch (v)
        {
            case string s:
                var q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
                var sb = new StringBuilder().Append(q);
                foreach (var c in s)
                {
                    if (c == '\\') sb.Append("\\\\");
                    else if (c == q) sb.Append('\\').Append(c);
                    else if (c == '\n') sb.Append("\\n");
                    else if (c == '\t') sb.Append("\\t");
                    else if (c == '\r') sb.Append("\\r");
                    else sb.Append(c);
                }
                return sb.Append(q).ToString();
            case List<object?> l: return "[" + string.Join(", ", l.Select(Repr)) + "]";
            case Dictionary<string, object?> d: return "{" + string.Join(", ", d.Select(kv => Repr(kv.Key) + ": " + Repr(kv.Value))) + "}";
            case Namespace: return "<Namespace>";
            case JinjaCallable f: return $"<function {f.Name}>";
            default: return Str(v);
        }
    }

    private static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    public static bool ValueEquals(object? a, object? b)
    {
        if (a is bool ab && b is bool bb) return ab == bb;
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b);
        return (a, b) switch
        {
            (null, null) => true,
            (Undefined, Undefined) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ValueEquals(p.First, p.Second)),
            (Dictionary<string, object?> x, Dictionary<string, object?> y) => x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var o) && ValueEquals(kv.Value, o)),
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>Python's bool is a number too (True + 1 == 2).</summary>
    public static bool IsNumber(object? v) => v is long or double or bool;

    public static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException($"{TypeName(v)} is not a number"),
    };

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string x && b is string y) return string.CompareOrdinal(x, y);
        if (a is List<object?> la && b is List<object?> lb)
        {
            for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                int c = Compare(la[i], lb[i]);
                if (c != 0) return c;
            }
            return la.Count.CompareTo(lb.Count);
        }
        throw new InvalidOperationException($"'<' not supported between {TypeName(a)} and {TypeName(b)}");
    }

    /// <summary>Items of an iterable: list items, dict keys, string characters; undefined/none iterate as empty.</summary>
    public static List<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        Dictionary<string, object?> d => d.Keys.Cast<object?>().ToList(),
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        Undefined => [],
        _ => throw new InvalidOperationException($"'{TypeName(v)}' object is not iterable"),
    };

    /// <summary>json.dumps(v, ensure_ascii=False) with optional indent, as Hugging Face's tojson filter.</summary>
    public static string ToJson(object? v, int? indent = null, bool sortKeys = false)
    {
        var sb = new StringBuilder();
        WriteJson(sb, v, indent, 0, sortKeys);
        return sb.ToString();
    }

    private static void WriteJson(StringBuilder sb, object? v, int? indent, int level, bool sortKeys)
    {
        switch (v)
        {
            case null or Undefined: sb.Append("null"); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case double d: sb.Append(FormatFloat(d).Replace("inf", "Infinity").Replace("nan", "NaN")); return;
            case string s: JsonString(sb, s); return;
            case List<object?> list:
                WriteSequence(sb, list.Count, '[', ']', indent, level, i => WriteJson(sb, list[i], indent, level + 1, sortKeys));
                return;
            case Dictionary<string, object?> dict:
                var keys = sortKeys ? dict.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList() : dict.Keys.ToList();
                WriteSequence(sb, keys.Count, '{', '}', indent, level, i =>
                {
                    JsonString(sb, keys[i]);
                    sb.Append(": ");
                    WriteJson(sb, dict[keys[i]], indent, level + 1, sortKeys);
                });
                return;
            case Namespace ns: WriteJson(sb, ns.Values, indent, level, sortKeys); return;
            default: throw new InvalidOperationException($"Object of type {TypeName(v)} is not JSON serializable");
        }
    }

    private static void WriteSequence(StringBuilder sb, int count, char open, char close, int? indent, int level, Action<int> item)
    {
        sb.Append(open);
        if (count == 0) { sb.Append(close); return; }
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(indent.HasValue ? "," : ", ");
            if (indent.HasValue) sb.Append('\n').Append(' ', indent.Value * (level + 1));
            item(i);
        }
        if (indent.HasValue) sb.Append('\n').Append(' ', indent.Value * level);
        sb.Append(close);
    }

    private static void JsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Strips <paramref name="chars"/> (default: whitespace) from the requested ends, keeping span markers in place.</summary>
    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        bool Strippable(char c) => chars == null ? char.IsWhiteSpace(c) : chars.Contains(c);
        bool IsMarker(char c) => c is SpanOpen or SpanClose;
        int start = 0, end = s.Length;
        var head = new StringBuilder();
        var tail = new StringBuilder();
        if (left)
            while (start < end && (Strippable(s[start]) || IsMarker(s[start]))) { if (IsMarker(s[start])) head.Append(s[start]); start++; }
        if (right)
            while (end > start && (Strippable(s[end - 1]) || IsMarker(s[end - 1]))) { if (IsMarker(s[end - 1])) tail.Insert(0, s[end - 1]); end--; }
        return head + s[start..end] + tail;
    }

    /// <summary>Python's str.title(): first letter of each run of letters upper-cased, the rest lower-cased.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool prevLetter = false;
        foreach (var c in s)
        {
            sb.Append(prevLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            prevLetter = char.IsLetter(c);
        }
        return sb.ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
