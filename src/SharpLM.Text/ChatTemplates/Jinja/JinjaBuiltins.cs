// JinjaBuiltins: the global functions (raise_exception, namespace, range, dict, strftime_now), the filters,
// the tests and the str / dict / list methods that chat templates in tokenizer_config.json files call.
using System.Globalization;
using static SharpLM.Text.ChatTemplates.Jinja.JinjaValues;

namespace SharpLM.Text.ChatTemplates.Jinja;

internal sealed partial class JinjaEvaluator
{
    private static IEnumerable<KeyValuePair<string, object?>> Builtins()
    {
        yield return new("raise_exception", new JinjaCallable("raise_exception", (a, _) =>
            throw new InvalidOperationException("raise_exception: " + (a.Count > 0 ? Str(a[0]) : "error"))));
        yield return new("namespace", new JinjaCallable("namespace", (a, kw) =>
        {
            var ns = new Namespace();
            if (a.Count > 0 && a[0] is Dictionary<string, object?> init) foreach (var (k, v) in init) ns.Values[k] = v;
            foreach (var (k, v) in kw) ns.Values[k] = v;
            return ns;
        }));
        yield return new("dict", new JinjaCallable("dict", (_, kw) => new Dictionary<string, object?>(kw, StringComparer.Ordinal)));
        yield return new("range", new JinjaCallable("range", (a, _) =>
        {
            long start = 0, stop, step = 1;
            if (a.Count == 1) stop = AsLong(a[0]);
            else { start = AsLong(a[0]); stop = AsLong(a[1]); if (a.Count > 2) step = AsLong(a[2]); }
            if (step == 0) throw new InvalidOperationException("range() step must not be zero");
            var list = new List<object?>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) list.Add(i);
            return list;
        }));
        yield return new("strftime_now", new JinjaCallable("strftime_now", (a, _) => StrFTime(DateTime.Now, a.Count > 0 ? Str(a[0]) : "%Y-%m-%d")));
    }

    private static long AsLong(object? v) => v is long l ? l : v is bool b ? (b ? 1 : 0) : throw new InvalidOperationException($"'{TypeName(v)}' object cannot be interpreted as an integer");

    private static string StrFTime(DateTime t, string format)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { sb.Append(format[i]); continue; }
            char c = format[++i];
            sb.Append(c switch
            {
                'Y' => t.ToString("yyyy", CultureInfo.InvariantCulture),
                'm' => t.ToString("MM", CultureInfo.InvariantCulture),
                'd' => t.ToString("dd", CultureInfo.InvariantCulture),
                'b' => t.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => t.ToString("MMMM", CultureInfo.InvariantCulture),
                'H' => t.ToString("HH", CultureInfo.InvariantCulture),
                'M' => t.ToString("mm", CultureInfo.InvariantCulture),
                'S' => t.ToString("ss", CultureInfo.InvariantCulture),
                'A' => t.ToString("dddd", CultureInfo.InvariantCulture),
                'a' => t.ToString("ddd", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }
        return sb.ToString();
    }

    private object? ApplyFilter(string name, object? v, List<object?> a, Dictionary<string, object?> kw, Node at)
    {
        object? Arg(int i, string key, object? dflt) => i < a.Count ? a[i] : kw.TryGetValue(key, out var x) ? x : dflt;
        switch (name)
        {
            case "trim": return Strip(ExpectString(v, name, at), a.Count > 0 ? Str(a[0]) : null);
            case "upper": return ExpectString(v, name, at).ToUpperInvariant();
            case "lower": return ExpectString(v, name, at).ToLowerInvariant();
            case "capitalize": return Capitalize(ExpectString(v, name, at));
            case "title": return Title(ExpectString(v, name, at));
            case "string": return Str(v);
            case "safe" or "e" or "escape" or "forceescape": return v;   // no autoescaping in chat templates
            case "replace":
                {
                    var s = ExpectString(v, name, at);
                    var from = Str(Arg(0, "old", "")); var to = Str(Arg(1, "new", ""));
                    return from.Length == 0 ? s : s.Replace(from, to, StringComparison.Ordinal);
                }
            case "length" or "count":
                return v switch
                {
                    string s => (long)s.Length,
                    List<object?> l => (long)l.Count,
                    Dictionary<string, object?> d => (long)d.Count,
                    Undefined => 0L,
                    _ => throw Error(at, $"object of type '{TypeName(v)}' has no len()"),
                };
            case "default" or "d":
                {
                    bool boolean = Truthy(Arg(1, "boolean", false));
                    return v is Undefined || (boolean && !Truthy(v)) ? Arg(0, "default_value", "") : v;
                }
            case "first": { var l = Iterate(v); return l.Count > 0 ? l[0] : new Undefined("first"); }
            case "last": { var l = Iterate(v); return l.Count > 0 ? l[^1] : new Undefined("last"); }
            case "join":
                {
                    var attribute = Arg(1, "attribute", null);
                    var items = Iterate(v).Select(x => attribute is string attr ? GetAttribute(x, attr, at) : x);
                    return string.Join(Str(Arg(0, "d", "")), items.Select(Str));
                }
            case "list": return Iterate(v).ToList();
            case "reverse": return v is string rs ? new string(rs.Reverse().ToArray()) : Enumerable.Reverse(Iterate(v)).ToList();
            case "items":
                if (v is Undefined) return new List<object?>();
                if (v is not Dictionary<string, object?> dict) throw Error(at, $"items filter expects a mapping, got {TypeName(v)}");
                return dict.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList();
            case "tojson":
                {
                    var indent = Arg(0, "indent", null);
                    return ToJson(v, indent is long n ? (int)n : null, Truthy(Arg(1, "sort_keys", false)));
                }
            case "int":
                return v switch
                {
                    long l => l,
                    double d => (long)Math.Truncate(d),
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => (long)p,
                    _ => Arg(0, "default", 0L),
                };
            case "float":
                return v switch
                {
                    long l => (double)l,
                    double d => d,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
                    _ => Arg(0, "default", 0.0),
                };
            case "abs": return v is long al ? (object)Math.Abs(al) : Math.Abs(ToDouble(v));
            case "unique":
                {
                    var result = new List<object?>();
                    foreach (var x in Iterate(v)) if (!result.Any(r => ValueEquals(r, x))) result.Add(x);
                    return result;
                }
            case "map":
                {
                    if (kw.TryGetValue("attribute", out var attr)) return Iterate(v).Select(x => GetAttribute(x, Str(attr), at)).ToList();
                    if (a.Count > 0) return Iterate(v).Select(x => ApplyFilter(Str(a[0]), x, a.Skip(1).ToList(), new(), at)).ToList();
                    throw Error(at, "map needs a filter name or attribute=");
                }
            case "selectattr" or "rejectattr":
                {
                    bool select = name == "selectattr";
                    if (a.Count == 0) throw Error(at, $"{name} needs an attribute name");
                    var attr = Str(a[0]);
                    return Iterate(v).Where(x =>
                    {
                        var value = GetAttribute(x, attr, at);
                        bool ok = a.Count > 1 ? TestValue(Str(a[1]), value, a.Skip(2).ToList(), at) : Truthy(value);
                        return ok == select;
                    }).ToList();
                }
            case "indent":
                {
                    var s = ExpectString(v, name, at);
                    var width = Arg(0, "width", 4L);
                    var pad = width is string ps ? ps : new string(' ', (int)AsLong(width));
                    bool first = Truthy(Arg(1, "first", false));
                    var lines = s.Split('\n');
                    for (int i = 0; i < lines.Length; i++)
                        if ((i > 0 || first) && lines[i].Length > 0) lines[i] = pad + lines[i];
                    return string.Join("\n", lines);
                }
            default: throw Error(at, $"unknown filter '{name}'");
        }
    }

    private static string ExpectString(object? v, string filter, Node at) => v switch
    {
        string s => s,
        Undefined => "",
        _ => Str(v),
    };

    private bool ApplyTest(string name, Expr target, List<object?> args, Node at)
    {
        object? v;
        try { v = Eval(target); }
        catch (JinjaException) when (name is "defined" or "undefined") { v = new Undefined("?"); }
        return TestValue(name, v, args, at);
    }

    private static bool TestValue(string name, object? v, List<object?> args, Node at) => name switch
    {
        "defined" => v is not Undefined,
        "undefined" => v is Undefined,
        "none" => v is null,
        "string" => v is string,
        "number" => v is long or double,
        "integer" => v is long,
        "float" => v is double,
        "boolean" => v is bool,
        "true" => v is true,
        "false" => v is false,
        "mapping" => v is Dictionary<string, object?> or Namespace,
        "sequence" => v is List<object?> or string or Dictionary<string, object?>,
        "iterable" => v is List<object?> or string or Dictionary<string, object?>,
        "callable" => v is JinjaCallable,
        "even" => v is long e && e % 2 == 0,
        "odd" => v is long o && o % 2 != 0,
        "divisibleby" => v is long dv && args.Count > 0 && args[0] is long by && by != 0 && dv % by == 0,
        "equalto" or "eq" or "==" or "sameas" => args.Count > 0 && ValueEquals(v, args[0]),
        "ne" or "!=" => args.Count > 0 && !ValueEquals(v, args[0]),
        "in" => args.Count > 0 && Contains(args[0], v, at),
        "lower" => v is string ls && ls == ls.ToLowerInvariant(),
        "upper" => v is string us && us == us.ToUpperInvariant(),
        _ => throw Error(at, $"unknown test '{name}'"),
    };

    private static JinjaCallable Method(string name, Func<List<object?>, Dictionary<string, object?>, object?> f) => new(name, f);

    private static JinjaCallable? DictMethod(Dictionary<string, object?> d, string name) => name switch
    {
        "get" => Method("get", (a, _) => a.Count > 0 && a[0] is string k && d.TryGetValue(k, out var v) ? v : a.Count > 1 ? a[1] : null),
        "items" => Method("items", (_, _) => d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList()),
        "keys" => Method("keys", (_, _) => d.Keys.Cast<object?>().ToList()),
        "values" => Method("values", (_, _) => d.Values.ToList()),
        _ => null,
    };

    private static JinjaCallable? ListMethod(List<object?> l, string name) => name switch
    {
        "index" => Method("index", (a, _) => (long)l.FindIndex(x => ValueEquals(x, a.Count > 0 ? a[0] : null))),
        "count" => Method("count", (a, _) => (long)l.Count(x => ValueEquals(x, a.Count > 0 ? a[0] : null))),
        _ => null,
    };

    private static JinjaCallable? StringMethod(string s, string name, Node at)
    {
        string? Chars(List<object?> a) => a.Count > 0 && a[0] is string c ? c : null;
        return name switch
        {
            "strip" => Method(name, (a, _) => Strip(s, Chars(a))),
            "lstrip" => Method(name, (a, _) => Strip(s, Chars(a), right: false)),
            "rstrip" => Method(name, (a, _) => Strip(s, Chars(a), left: false)),
            "upper" => Method(name, (_, _) => s.ToUpperInvariant()),
            "lower" => Method(name, (_, _) => s.ToLowerInvariant()),
            "title" => Method(name, (_, _) => Title(s)),
            "capitalize" => Method(name, (_, _) => Capitalize(s)),
            "startswith" => Method(name, (a, _) => a.Count > 0 && (a[0] is List<object?> opts ? opts.Any(o => s.StartsWith(Str(o), StringComparison.Ordinal)) : s.StartsWith(Str(a[0]), StringComparison.Ordinal))),
            "endswith" => Method(name, (a, _) => a.Count > 0 && (a[0] is List<object?> opts ? opts.Any(o => s.EndsWith(Str(o), StringComparison.Ordinal)) : s.EndsWith(Str(a[0]), StringComparison.Ordinal))),
            "replace" => Method(name, (a, _) => a.Count >= 2 && Str(a[0]).Length > 0 ? s.Replace(Str(a[0]), Str(a[1]), StringComparison.Ordinal) : s),
            "find" => Method(name, (a, _) => (long)s.IndexOf(Str(a.Count > 0 ? a[0] : ""), StringComparison.Ordinal)),
            "split" => Method(name, (a, _) =>
            {
                long max = a.Count > 1 && a[1] is long m ? m : -1;
                if (a.Count == 0 || a[0] is null)
                    return s.Split((char[]?)null, max < 0 ? int.MaxValue : (int)max + 1, StringSplitOptions.RemoveEmptyEntries).Cast<object?>().ToList();
                var sep = Str(a[0]);
                if (sep.Length == 0) throw new InvalidOperationException("empty separator");
                return s.Split(sep, max < 0 ? int.MaxValue : (int)max + 1).Cast<object?>().ToList();
            }),
            "join" => Method(name, (a, _) => string.Join(s, Iterate(a.Count > 0 ? a[0] : null).Select(Str))),
            "format" => Method(name, (a, _) =>
            {
                var result = s;
                for (int i = 0; i < a.Count; i++) result = ReplaceFirst(result, "{}", Str(a[i]));
                return result;
            }),
            _ => null,
        };
    }

    private static string ReplaceFirst(string s, string what, string with)
    {
        int i = s.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? s : s[..i] + with + s[(i + what.Length)..];
    }
}
