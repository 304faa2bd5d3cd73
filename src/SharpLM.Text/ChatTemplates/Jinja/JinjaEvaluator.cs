// JinjaEvaluator: walks the AST and writes the output. Scoping follows Jinja2: a for loop (each iteration)
// and a macro call get their own frame, so "set" inside them does not leak out (hence namespace()); "if" does
// not open a frame. Errors raised while rendering name the line and column of the node being evaluated.
using System.Globalization;
using System.Text;
using static SharpLM.Text.ChatTemplates.Jinja.JinjaValues;

namespace SharpLM.Text.ChatTemplates.Jinja;

internal sealed partial class JinjaEvaluator
{
    private enum Flow { Normal, Break, Continue }

    private readonly List<Dictionary<string, object?>> _frames = new();

    public JinjaEvaluator(IReadOnlyDictionary<string, object?> globals)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in Builtins()) root[k] = v;
        foreach (var (k, v) in globals) root[k] = v;
        _frames.Add(root);
    }

    public string Render(IReadOnlyList<Node> body)
    {
        var sb = new StringBuilder();
        Exec(body, sb);
        return sb.ToString();
    }

    private static JinjaException Error(Node at, string message) => new(message, at.Line, at.Column);

    // ---- statements ----

    private Flow Exec(IReadOnlyList<Node> nodes, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            var flow = Exec(node, sb);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    private Flow Exec(Node node, StringBuilder sb)
    {
        switch (node)
        {
            case TextNode t: sb.Append(t.Text); return Flow.Normal;
            case OutputNode o: sb.Append(Str(Eval(o.Value))); return Flow.Normal;
            case IfNode i:
                foreach (var (cond, body) in i.Branches)
                    if (Truthy(Eval(cond))) return Exec(body, sb);
                return i.Else != null ? Exec(i.Else, sb) : Flow.Normal;
            case ForNode f: ExecFor(f, sb); return Flow.Normal;
            case SetNode s: ExecSet(s); return Flow.Normal;
            case MacroNode m: Assign(m.Name, MakeMacro(m)); return Flow.Normal;
            case LoopControlNode l: return l.IsBreak ? Flow.Break : Flow.Continue;
            case ScopeNode s: return Exec(s.Body, sb);
            default: throw Error(node, $"cannot execute {node.GetType().Name}");
        }
    }

    private void ExecFor(ForNode f, StringBuilder sb)
    {
        var source = Eval(f.Iterable);
        List<object?> items;
        try { items = source is Dictionary<string, object?> d ? d.Keys.Cast<object?>().ToList() : Iterate(source); }
        catch (InvalidOperationException e) { throw Error(f.Iterable, e.Message); }
        if (f.Filter != null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                _frames.Add(new(StringComparer.Ordinal));
                BindTargets(f, item);
                if (Truthy(Eval(f.Filter))) kept.Add(item);
                _frames.RemoveAt(_frames.Count - 1);
            }
            items = kept;
        }
        if (items.Count == 0)
        {
            if (f.Else != null) Exec(f.Else, sb);
            return;
        }
        var loop = new LoopInfo(items);
        for (int i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var frame = new Dictionary<string, object?>(StringComparer.Ordinal) { ["loop"] = loop };
            _frames.Add(frame);
            BindTargets(f, items[i]);
            var flow = Exec(f.Body, sb);
            _frames.RemoveAt(_frames.Count - 1);
            if (flow == Flow.Break) break;
        }
    }

    private void BindTargets(ForNode f, object? item)
    {
        if (f.Targets.Count == 1) { Assign(f.Targets[0], item); return; }
        var parts = item as List<object?> ?? throw Error(f, $"cannot unpack {TypeName(item)} into {f.Targets.Count} loop variables");
        if (parts.Count != f.Targets.Count) throw Error(f, $"cannot unpack {parts.Count} values into {f.Targets.Count} loop variables");
        for (int k = 0; k < parts.Count; k++) Assign(f.Targets[k], parts[k]);
    }

    private void ExecSet(SetNode s)
    {
        object? value;
        if (s.Body != null)
        {
            var inner = new StringBuilder();
            Exec(s.Body, inner);
            value = inner.ToString();
        }
        else value = Eval(s.Value!);
        if (s.Attribute != null)
        {
            var target = Lookup(s.Targets[0]);
            if (target is not Namespace ns) throw Error(s, $"cannot assign attribute '{s.Attribute}' on {TypeName(target)} '{s.Targets[0]}' (only namespace() objects are assignable)");
            ns.Values[s.Attribute] = value;
            return;
        }
        if (s.Targets.Count == 1) { Assign(s.Targets[0], value); return; }
        var parts = value as List<object?> ?? throw Error(s, $"cannot unpack {TypeName(value)}");
        if (parts.Count != s.Targets.Count) throw Error(s, $"cannot unpack {parts.Count} values into {s.Targets.Count} names");
        for (int k = 0; k < parts.Count; k++) Assign(s.Targets[k], parts[k]);
    }

    private void Assign(string name, object? value) => _frames[^1][name] = value;

    private object? Lookup(string name)
    {
        for (int i = _frames.Count - 1; i >= 0; i--)
            if (_frames[i].TryGetValue(name, out var v)) return v;
        return new Undefined(name);
    }

    private JinjaCallable MakeMacro(MacroNode m) => new(m.Name, (args, kwargs) =>
    {
        var frame = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < m.Parameters.Count; i++)
        {
            var (name, def) = m.Parameters[i];
            frame[name] = i < args.Count ? args[i] : kwargs.TryGetValue(name, out var kv) ? kv : def != null ? Eval(def) : new Undefined(name);
        }
        var saved = _frames.ToList();
        _frames.RemoveRange(1, _frames.Count - 1);       // macros see globals, not the caller's locals
        _frames.Add(frame);
        var sb = new StringBuilder();
        try { Exec(m.Body, sb); }
        finally { _frames.Clear(); _frames.AddRange(saved); }
        return sb.ToString();
    });

    // ---- expressions ----

    private object? Eval(Expr e)
    {
        try
        {
            return EvalCore(e);
        }
        catch (InvalidOperationException ex)
        {
            throw Error(e, ex.Message);
        }
    }

    private object? EvalCore(Expr e)
    {
        switch (e)
        {
            case LiteralExpr l: return l.Value;
            case NameExpr n: return Lookup(n.Name);
            case ListExpr l: return l.Items.Select(Eval).ToList();
            case DictExpr d:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in d.Items) dict[Str(Eval(k))] = Eval(v);
                return dict;
            case AttributeExpr a: return GetAttribute(Eval(a.Target), a.Name, a);
            case IndexExpr i: return GetItem(Eval(i.Target), Eval(i.Index), i);
            case SliceExpr s: return Slice(Eval(s.Target), s.Start == null ? null : Eval(s.Start), s.Stop == null ? null : Eval(s.Stop), s.Step == null ? null : Eval(s.Step));
            case CallExpr c:
                var callee = Eval(c.Callee);
                if (callee is not JinjaCallable fn)
                    throw Error(c, callee is Undefined u ? $"'{u.Name}' is undefined" : $"'{TypeName(callee)}' object is not callable");
                return fn.Invoke(c.Args.Select(Eval).ToList(), c.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value)));
            case FilterExpr f:
                return ApplyFilter(f.Name, Eval(f.Target), f.Args.Select(Eval).ToList(), f.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value)), f);
            case TestExpr t:
                return ApplyTest(t.Name, t.Target, t.Args.Select(Eval).ToList(), t) != t.Negated;
            case UnaryExpr u:
                var operand = Eval(u.Operand);
                return u.Op switch
                {
                    "not" => !Truthy(operand),
                    "-" => operand switch { long l => (object)(-l), double d => -d, _ => throw Error(u, $"bad operand type for unary -: '{TypeName(operand)}'") },
                    _ => operand,
                };
            case ConditionalExpr c:
                return Truthy(Eval(c.Condition)) ? Eval(c.Then) : c.Else != null ? Eval(c.Else) : new Undefined("conditional");
            case BinaryExpr b: return EvalBinary(b);
            default: throw Error(e, $"cannot evaluate {e.GetType().Name}");
        }
    }

    private object? EvalBinary(BinaryExpr b)
    {
        if (b.Op == "and") { var l = Eval(b.Left); return Truthy(l) ? Eval(b.Right) : l; }
        if (b.Op == "or") { var l = Eval(b.Left); return Truthy(l) ? l : Eval(b.Right); }
        var x = Eval(b.Left);
        var y = Eval(b.Right);
        switch (b.Op)
        {
            case "==": return ValueEquals(x, y);
            case "!=": return !ValueEquals(x, y);
            case "<": return Compare(x, y) < 0;
            case "<=": return Compare(x, y) <= 0;
            case ">": return Compare(x, y) > 0;
            case ">=": return Compare(x, y) >= 0;
            case "in": return Contains(y, x, b);
            case "not in": return !Contains(y, x, b);
            case "~": return Str(x) + Str(y);
            case "+":
                if (x is string sx && y is string sy) return sx + sy;
                if (x is List<object?> lx && y is List<object?> ly) return lx.Concat(ly).ToList();
                return Arithmetic(b, x, y);
            default: return Arithmetic(b, x, y);
        }
    }

    private static object Arithmetic(BinaryExpr b, object? x, object? y)
    {
        if (b.Op == "*" && x is string s && y is long n) return string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n)));
        if (!IsNumber(x) || !IsNumber(y))
            throw Error(b, $"unsupported operand types for {b.Op}: '{TypeName(x)}' and '{TypeName(y)}'");
        if (x is not double && y is not double)
        {
            long a = (long)ToDouble(x), c = (long)ToDouble(y);
            switch (b.Op)
            {
                case "+": return a + c;
                case "-": return a - c;
                case "*": return a * c;
                case "//": return c == 0 ? throw Error(b, "integer division by zero") : (long)Math.Floor((double)a / c);
                case "%": return c == 0 ? throw Error(b, "integer modulo by zero") : ((a % c) + c) % c;
                case "**": return c >= 0 ? (object)(long)Math.Pow(a, c) : Math.Pow(a, c);
            }
        }
        double p = ToDouble(x), q = ToDouble(y);
        return b.Op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => q == 0 ? throw Error(b, "division by zero") : p / q,
            "//" => Math.Floor(p / q),
            "%" => p - q * Math.Floor(p / q),
            "**" => Math.Pow(p, q),
            _ => throw Error(b, $"unknown operator {b.Op}"),
        };
    }

    private static bool Contains(object? container, object? item, Node at) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal) : throw Error(at, $"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> l => l.Any(v => ValueEquals(v, item)),
        Dictionary<string, object?> d => item is string k && d.ContainsKey(k),
        Undefined => false,
        _ => throw Error(at, $"argument of type '{TypeName(container)}' is not iterable"),
    };

    private object? GetItem(object? target, object? key, Node at)
    {
        switch (target)
        {
            case Dictionary<string, object?> d:
                return key is string k && d.TryGetValue(k, out var v) ? v : new Undefined(Str(key));
            case List<object?> l when key is long i:
                if (i < 0) i += l.Count;
                return i >= 0 && i < l.Count ? l[(int)i] : new Undefined($"[{key}]");
            case string s when key is long i:
                if (i < 0) i += s.Length;
                return i >= 0 && i < s.Length ? s[(int)i].ToString() : new Undefined($"[{key}]");
            case Undefined u:
                throw Error(at, $"'{u.Name}' is undefined");
            case null:
                throw Error(at, $"'NoneType' object is not subscriptable");
            default:
                return key is string name ? GetAttribute(target, name, at) : new Undefined($"[{key}]");
        }
    }

    private static object? Slice(object? target, object? start, object? stop, object? step)
    {
        long st = step is long z ? z : 1;
        if (st == 0) throw new InvalidOperationException("slice step cannot be zero");
        int n = target switch { List<object?> l => l.Count, string s => s.Length, _ => throw new InvalidOperationException($"'{TypeName(target)}' object is not sliceable") };
        long Norm(object? v, long dflt)
        {
            if (v is not long i) return dflt;
            if (i < 0) i += n;
            return st > 0 ? Math.Clamp(i, 0, n) : Math.Clamp(i, -1, n - 1);
        }
        long a = Norm(start, st > 0 ? 0 : n - 1), b = Norm(stop, st > 0 ? n : -1);
        var idx = new List<int>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) idx.Add((int)i);
        return target is string str ? new string(idx.Select(i => str[i]).ToArray()) : idx.Select(i => ((List<object?>)target!)[i]).ToList();
    }

    private object? GetAttribute(object? target, string name, Node at)
    {
        switch (target)
        {
            case Dictionary<string, object?> d:
                if (d.TryGetValue(name, out var v)) return v;
                return (object?)DictMethod(d, name) ?? new Undefined(name);
            case Namespace ns: return ns.Values.TryGetValue(name, out var nv) ? nv : new Undefined(name);
            case LoopInfo loop: return loop.Get(name);
            case string s: return (object?)StringMethod(s, name, at) ?? new Undefined(name);
            case List<object?> l: return (object?)ListMethod(l, name) ?? new Undefined(name);
            case Undefined u: throw Error(at, $"'{u.Name}' is undefined (reading attribute '{name}')");
            case null: throw Error(at, $"'NoneType' object has no attribute '{name}'");
            default: return new Undefined(name);
        }
    }
}
