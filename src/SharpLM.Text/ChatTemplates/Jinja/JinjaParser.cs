// JinjaParser: recursive descent from the token stream to the AST, with Jinja2's operator precedence
// (lowest first): conditional "a if c else b", or, and, not, comparisons and "in"/"not in", + and -, ~,
// * / // %, **, unary -, then primary with postfix .attr [index] [a:b] (call), and filters "|f" / tests "is t".
// Statements: if/elif/else, for (with "else" and an inline "if"), set (name, tuple, ns.attr, block form),
// macro, break/continue, and generation blocks (rendered as their body).
using System.Globalization;

namespace SharpLM.Text.ChatTemplates.Jinja;

internal sealed class JinjaParser
{
    private readonly List<Token> _t;
    private int _p;

    private JinjaParser(List<Token> tokens) => _t = tokens;

    public static IReadOnlyList<Node> Parse(List<Token> tokens)
    {
        var parser = new JinjaParser(tokens);
        var body = parser.ParseBody(out var end);
        if (end != null) throw Error($"unexpected '{{% {end.Value.Value} %}}' with no open block", end.Value);
        return body;
    }

    private Token Peek(int ahead = 0) => _t[Math.Min(_p + ahead, _t.Count - 1)];
    private Token Next() => _t[Math.Min(_p++, _t.Count - 1)];

    private static JinjaException Error(string message, Token at) => new(message, at.Line, at.Column);

    private Token Expect(TokenKind kind, string? value, string what)
    {
        var t = Peek();
        if (t.Kind != kind || (value != null && t.Value != value)) throw Error($"expected {what}, found {t}", t);
        return Next();
    }

    private string ExpectName() => Expect(TokenKind.Name, null, "a name").Value;

    /// <summary>Parses nodes until end of input or a block tag whose keyword is not a statement start (returned in <paramref name="end"/>).</summary>
    private List<Node> ParseBody(out Token? end, params string[] terminators)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var t = Peek();
            switch (t.Kind)
            {
                case TokenKind.Eof:
                    end = null;
                    if (terminators.Length > 0) throw Error($"unexpected end of template: expected {string.Join(" or ", terminators.Select(x => "{% " + x + " %}"))}", t);
                    return nodes;
                case TokenKind.Text:
                    Next();
                    nodes.Add(new TextNode(t.Value, t.Line, t.Column));
                    break;
                case TokenKind.VarBegin:
                    Next();
                    var e = ParseExpression();
                    Expect(TokenKind.VarEnd, "}}", "'}}'");
                    nodes.Add(new OutputNode(e, t.Line, t.Column));
                    break;
                case TokenKind.BlockBegin:
                    var keyword = Peek(1);
                    if (keyword.Kind != TokenKind.Name) throw Error($"expected a statement keyword, found {keyword}", keyword);
                    if (terminators.Contains(keyword.Value) || keyword.Value.StartsWith("end", StringComparison.Ordinal) || keyword.Value is "elif" or "else")
                    {
                        if (!terminators.Contains(keyword.Value))
                            throw Error($"unexpected '{{% {keyword.Value} %}}'" + (terminators.Length > 0 ? $": expected {string.Join(" or ", terminators)}" : ""), keyword);
                        Next(); Next();
                        end = keyword;
                        return nodes;
                    }
                    Next(); Next();
                    nodes.Add(ParseStatement(keyword));
                    break;
                default:
                    throw Error($"unexpected {t}", t);
            }
        }
    }

    private void EndTag() => Expect(TokenKind.BlockEnd, "%}", "'%}'");

    private Node ParseStatement(Token kw)
    {
        switch (kw.Value)
        {
            case "if": return ParseIf(kw);
            case "for": return ParseFor(kw);
            case "set": return ParseSet(kw);
            case "macro": return ParseMacro(kw);
            case "break":
            case "continue":
                EndTag();
                return new LoopControlNode(kw.Value == "break", kw.Line, kw.Column);
            case "generation":
                EndTag();
                var body = ParseBody(out _, "endgeneration");
                EndTag();
                return new ScopeNode(body, kw.Line, kw.Column) { };
            default:
                throw Error($"unknown statement '{kw.Value}'", kw);
        }
    }

    private Node ParseIf(Token kw)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        IReadOnlyList<Node>? elseBody = null;
        var cond = ParseExpression();
        EndTag();
        while (true)
        {
            var body = ParseBody(out var end, "elif", "else", "endif");
            branches.Add((cond, body));
            if (end!.Value.Value == "elif") { cond = ParseExpression(); EndTag(); continue; }
            EndTag();
            if (end.Value.Value == "else")
            {
                elseBody = ParseBody(out _, "endif");
                EndTag();
            }
            break;
        }
        return new IfNode(branches, elseBody, kw.Line, kw.Column);
    }

    private Node ParseFor(Token kw)
    {
        var targets = new List<string> { ExpectName() };
        while (Peek().IsOp(",")) { Next(); targets.Add(ExpectName()); }
        Expect(TokenKind.Name, "in", "'in'");
        var iterable = ParseOr(noConditional: true);
        Expr? filter = null;
        if (Peek().IsName("if")) { Next(); filter = ParseOr(); }
        if (Peek().IsName("recursive")) throw Error("recursive loops are not supported", Peek());
        EndTag();
        var body = ParseBody(out var end, "else", "endfor");
        IReadOnlyList<Node>? elseBody = null;
        EndTag();
        if (end!.Value.Value == "else")
        {
            elseBody = ParseBody(out _, "endfor");
            EndTag();
        }
        return new ForNode(targets, iterable, filter, body, elseBody, kw.Line, kw.Column);
    }

    private Node ParseSet(Token kw)
    {
        var targets = new List<string> { ExpectName() };
        string? attribute = null;
        if (Peek().IsOp(".")) { Next(); attribute = ExpectName(); }
        else while (Peek().IsOp(",")) { Next(); targets.Add(ExpectName()); }
        if (Peek().Kind == TokenKind.BlockEnd)
        {
            EndTag();
            var body = ParseBody(out _, "endset");
            EndTag();
            return new SetNode(targets, attribute, null, body, kw.Line, kw.Column);
        }
        Expect(TokenKind.Operator, "=", "'='");
        var value = ParseTuple();
        EndTag();
        return new SetNode(targets, attribute, value, null, kw.Line, kw.Column);
    }

    private Node ParseMacro(Token kw)
    {
        var name = ExpectName();
        var parameters = new List<(string, Expr?)>();
        Expect(TokenKind.Operator, "(", "'('");
        while (!Peek().IsOp(")"))
        {
            var p = ExpectName();
            Expr? def = null;
            if (Peek().IsOp("=")) { Next(); def = ParseExpression(); }
            parameters.Add((p, def));
            if (!Peek().IsOp(")")) Expect(TokenKind.Operator, ",", "',' or ')'");
        }
        Next();
        EndTag();
        var body = ParseBody(out _, "endmacro");
        EndTag();
        return new MacroNode(name, parameters, body, kw.Line, kw.Column);
    }

    // ---- expressions ----

    /// <summary>An expression, or a bare tuple "a, b" (as in set).</summary>
    private Expr ParseTuple()
    {
        var first = ParseExpression();
        if (!Peek().IsOp(",")) return first;
        var items = new List<Expr> { first };
        while (Peek().IsOp(",")) { Next(); items.Add(ParseExpression()); }
        return new ListExpr(items, first.Line, first.Column);
    }

    public Expr ParseExpression() => ParseOr(noConditional: false);

    private Expr ParseOr(bool noConditional = false)
    {
        var left = ParseAnd();
        while (Peek().IsName("or")) { var t = Next(); left = new BinaryExpr("or", left, ParseAnd(), t.Line, t.Column); }
        if (!noConditional && Peek().IsName("if"))
        {
            var t = Next();
            var cond = ParseOr(noConditional: true);
            Expr? otherwise = null;
            if (Peek().IsName("else")) { Next(); otherwise = ParseOr(); }
            return new ConditionalExpr(cond, left, otherwise, t.Line, t.Column);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Peek().IsName("and")) { var t = Next(); left = new BinaryExpr("and", left, ParseNot(), t.Line, t.Column); }
        return left;
    }

    private Expr ParseNot()
    {
        if (Peek().IsName("not")) { var t = Next(); return new UnaryExpr("not", ParseNot(), t.Line, t.Column); }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var left = ParseAdd();
        while (true)
        {
            var t = Peek();
            string? op = t.Kind == TokenKind.Operator && t.Value is "==" or "!=" or "<" or "<=" or ">" or ">=" ? t.Value : null;
            if (op == null && t.IsName("in")) op = "in";
            if (op == null && t.IsName("not") && Peek(1).IsName("in")) { Next(); op = "not in"; }
            if (op == null) return left;
            Next();
            left = new BinaryExpr(op, left, ParseAdd(), t.Line, t.Column);
        }
    }

    private Expr ParseAdd()
    {
        var left = ParseConcat();
        while (Peek().IsOp("+") || Peek().IsOp("-")) { var t = Next(); left = new BinaryExpr(t.Value, left, ParseConcat(), t.Line, t.Column); }
        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMul();
        while (Peek().IsOp("~")) { var t = Next(); left = new BinaryExpr("~", left, ParseMul(), t.Line, t.Column); }
        return left;
    }

    private Expr ParseMul()
    {
        var left = ParsePow();
        while (Peek().Kind == TokenKind.Operator && Peek().Value is "*" or "/" or "//" or "%")
        {
            var t = Next();
            left = new BinaryExpr(t.Value, left, ParsePow(), t.Line, t.Column);
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (Peek().IsOp("**")) { var t = Next(); left = new BinaryExpr("**", left, ParseUnary(), t.Line, t.Column); }
        return left;
    }

    private Expr ParseUnary()
    {
        if (Peek().IsOp("-") || Peek().IsOp("+"))
        {
            var t = Next();
            return new UnaryExpr(t.Value, ParseUnary(), t.Line, t.Column);
        }
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.String:
                var s = t.Value;
                while (Peek().Kind == TokenKind.String) s += Next().Value;     // adjacent literals concatenate
                return new LiteralExpr(s, t.Line, t.Column);
            case TokenKind.Integer: return new LiteralExpr(long.Parse(t.Value, CultureInfo.InvariantCulture), t.Line, t.Column);
            case TokenKind.Float: return new LiteralExpr(double.Parse(t.Value, CultureInfo.InvariantCulture), t.Line, t.Column);
            case TokenKind.Name:
                return t.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, t.Line, t.Column),
                    "false" or "False" => new LiteralExpr(false, t.Line, t.Column),
                    "none" or "None" => new LiteralExpr(null, t.Line, t.Column),
                    _ => new NameExpr(t.Value, t.Line, t.Column),
                };
            case TokenKind.Operator when t.Value == "(":
                if (Peek().IsOp(")")) { Next(); return new ListExpr([], t.Line, t.Column); }
                var inner = ParseExpression();
                if (Peek().IsOp(","))
                {
                    var items = new List<Expr> { inner };
                    while (Peek().IsOp(",")) { Next(); if (Peek().IsOp(")")) break; items.Add(ParseExpression()); }
                    inner = new ListExpr(items, t.Line, t.Column);
                }
                Expect(TokenKind.Operator, ")", "')'");
                return inner;
            case TokenKind.Operator when t.Value == "[":
                var list = new List<Expr>();
                while (!Peek().IsOp("]"))
                {
                    list.Add(ParseExpression());
                    if (!Peek().IsOp("]")) Expect(TokenKind.Operator, ",", "',' or ']'");
                }
                Next();
                return new ListExpr(list, t.Line, t.Column);
            case TokenKind.Operator when t.Value == "{":
                var pairs = new List<(Expr, Expr)>();
                while (!Peek().IsOp("}"))
                {
                    var k = ParseExpression();
                    Expect(TokenKind.Operator, ":", "':'");
                    pairs.Add((k, ParseExpression()));
                    if (!Peek().IsOp("}")) Expect(TokenKind.Operator, ",", "',' or '}'");
                }
                Next();
                return new DictExpr(pairs, t.Line, t.Column);
            default:
                throw Error($"unexpected {t} in expression", t);
        }
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            var t = Peek();
            if (t.IsOp("."))
            {
                Next();
                var name = Peek().Kind == TokenKind.Integer ? Next().Value : ExpectName();
                e = new AttributeExpr(e, name, t.Line, t.Column);
            }
            else if (t.IsOp("["))
            {
                Next();
                Expr? start = null, stop = null, step = null;
                bool slice = false;
                if (!Peek().IsOp(":")) start = ParseExpression();
                if (Peek().IsOp(":"))
                {
                    slice = true;
                    Next();
                    if (!Peek().IsOp(":") && !Peek().IsOp("]")) stop = ParseExpression();
                    if (Peek().IsOp(":")) { Next(); if (!Peek().IsOp("]")) step = ParseExpression(); }
                }
                Expect(TokenKind.Operator, "]", "']'");
                e = slice ? new SliceExpr(e, start, stop, step, t.Line, t.Column) : new IndexExpr(e, start!, t.Line, t.Column);
            }
            else if (t.IsOp("("))
            {
                Next();
                var (args, kwargs) = ParseArguments();
                e = new CallExpr(e, args, kwargs, e.Line, e.Column);
            }
            else return e;
        }
    }

    /// <summary>Arguments after '(' up to and including ')'.</summary>
    private (List<Expr>, List<(string, Expr)>) ParseArguments()
    {
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        while (!Peek().IsOp(")"))
        {
            if (Peek().Kind == TokenKind.Name && Peek(1).IsOp("="))
            {
                var name = Next().Value;
                Next();
                kwargs.Add((name, ParseExpression()));
            }
            else args.Add(ParseExpression());
            if (!Peek().IsOp(")")) Expect(TokenKind.Operator, ",", "',' or ')'");
        }
        Next();
        return (args, kwargs);
    }

    private Expr ParseFilters(Expr e)
    {
        while (true)
        {
            var t = Peek();
            if (t.IsOp("|"))
            {
                Next();
                var name = ExpectName();
                List<Expr> args = [];
                List<(string, Expr)> kwargs = [];
                if (Peek().IsOp("(")) { Next(); (args, kwargs) = ParseArguments(); }
                e = new FilterExpr(e, name, args, kwargs, t.Line, t.Column);
            }
            else if (t.IsName("is"))
            {
                Next();
                bool negated = false;
                if (Peek().IsName("not")) { Next(); negated = true; }
                var nameToken = Next();
                if (nameToken.Kind != TokenKind.Name && !(nameToken.Kind == TokenKind.Operator && nameToken.Value is "==" or "!=" or "<" or ">" or "<=" or ">="))
                    throw Error($"expected a test name after 'is', found {nameToken}", nameToken);
                var name = nameToken.Value switch { "none" or "None" => "none", "true" or "True" => "true", "false" or "False" => "false", var v => v };
                var args = new List<Expr>();
                if (Peek().IsOp("(")) { Next(); args = ParseArguments().Item1; }
                else if (Peek().Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float || (Peek().Kind == TokenKind.Name && !IsKeyword(Peek().Value)))
                    args.Add(ParsePostfix(ParsePrimary()));
                e = new TestExpr(e, name, args, negated, t.Line, t.Column);
            }
            else return e;
        }
    }

    private static bool IsKeyword(string name) => name is "and" or "or" or "not" or "in" or "is" or "if" or "else";
}
