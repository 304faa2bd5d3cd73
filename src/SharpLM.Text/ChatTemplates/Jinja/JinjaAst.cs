// JinjaAst: the syntax tree the parser builds and the evaluator walks. Every node keeps the line and column
// of its first token so rendering errors can name them.
namespace SharpLM.Text.ChatTemplates.Jinja;

internal abstract record Node(int Line, int Column);

// ---- statements ----
internal sealed record TextNode(string Text, int Line, int Column) : Node(Line, Column);
internal sealed record OutputNode(Expr Value, int Line, int Column) : Node(Line, Column);
internal sealed record IfNode(IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node>? Else, int Line, int Column) : Node(Line, Column);
internal sealed record ForNode(IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else, int Line, int Column) : Node(Line, Column);
internal sealed record SetNode(IReadOnlyList<string> Targets, string? Attribute, Expr? Value, IReadOnlyList<Node>? Body, int Line, int Column) : Node(Line, Column);
internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Node> Body, int Line, int Column) : Node(Line, Column);
internal sealed record LoopControlNode(bool IsBreak, int Line, int Column) : Node(Line, Column);
internal sealed record ScopeNode(IReadOnlyList<Node> Body, int Line, int Column) : Node(Line, Column);

// ---- expressions ----
internal abstract record Expr(int Line, int Column) : Node(Line, Column);
internal sealed record LiteralExpr(object? Value, int Line, int Column) : Expr(Line, Column);
internal sealed record NameExpr(string Name, int Line, int Column) : Expr(Line, Column);
internal sealed record AttributeExpr(Expr Target, string Name, int Line, int Column) : Expr(Line, Column);
internal sealed record IndexExpr(Expr Target, Expr Index, int Line, int Column) : Expr(Line, Column);
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line, int Column) : Expr(Line, Column);
internal sealed record CallExpr(Expr Callee, IReadOnlyList<Expr> Args, IReadOnlyList<(string Name, Expr Value)> Kwargs, int Line, int Column) : Expr(Line, Column);
internal sealed record FilterExpr(Expr Target, string Name, IReadOnlyList<Expr> Args, IReadOnlyList<(string Name, Expr Value)> Kwargs, int Line, int Column) : Expr(Line, Column);
internal sealed record TestExpr(Expr Target, string Name, IReadOnlyList<Expr> Args, bool Negated, int Line, int Column) : Expr(Line, Column);
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line, int Column) : Expr(Line, Column);
internal sealed record UnaryExpr(string Op, Expr Operand, int Line, int Column) : Expr(Line, Column);
internal sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, int Line, int Column) : Expr(Line, Column);
internal sealed record ListExpr(IReadOnlyList<Expr> Items, int Line, int Column) : Expr(Line, Column);
internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Items, int Line, int Column) : Expr(Line, Column);
