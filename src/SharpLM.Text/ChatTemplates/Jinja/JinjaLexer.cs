// JinjaLexer: turns template source into one flat token stream: text runs, the delimiters of {{ }} and {% %},
// and the expression tokens inside them (comments {# #} are dropped). Whitespace control follows Jinja2 as
// Hugging Face configures it for chat templates: a '-' on a delimiter strips all whitespace on that side;
// trim_blocks removes the first newline after a block or comment tag; lstrip_blocks removes spaces and tabs
// between the start of a line and a block or comment tag ('+' on the opening delimiter disables that).
using System.Globalization;
using System.Text;

namespace SharpLM.Text.ChatTemplates.Jinja;

internal enum TokenKind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, Eof }

internal readonly record struct Token(TokenKind Kind, string Value, int Line, int Column)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;
    public bool IsName(string value) => Is(TokenKind.Name, value);
    public bool IsOp(string value) => Is(TokenKind.Operator, value);
    public override string ToString() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.Text => "text",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}

internal sealed class JinjaLexer
{
    private static readonly string[] Operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "<", ">", "="];

    private readonly string _src;
    private readonly bool _trimBlocks, _lstripBlocks;
    private readonly List<Token> _tokens = new();
    private readonly List<int> _lineStarts = new() { 0 };

    private JinjaLexer(string src, bool trimBlocks, bool lstripBlocks)
    {
        _src = src;
        _trimBlocks = trimBlocks;
        _lstripBlocks = lstripBlocks;
        for (int i = 0; i < src.Length; i++) if (src[i] == '\n') _lineStarts.Add(i + 1);
    }

    public static List<Token> Tokenize(string src, bool trimBlocks = true, bool lstripBlocks = true)
    {
        var lexer = new JinjaLexer(src, trimBlocks, lstripBlocks);
        lexer.Run();
        return lexer._tokens;
    }

    private (int Line, int Column) Locate(int offset)
    {
        int i = _lineStarts.BinarySearch(offset);
        if (i < 0) i = ~i - 1;
        return (i + 1, offset - _lineStarts[i] + 1);
    }

    private Token Make(TokenKind kind, string value, int offset)
    {
        var (l, c) = Locate(offset);
        return new Token(kind, value, l, c);
    }

    private JinjaException Error(string message, int offset)
    {
        var (l, c) = Locate(offset);
        return new JinjaException(message, l, c);
    }

    private void Run()
    {
        int pos = 0;
        bool stripNext = false, trimNewline = false;
        while (true)
        {
            int open = FindOpen(pos);
            int textEnd = open < 0 ? _src.Length : open;
            int textStart = pos;
            if (stripNext) while (textStart < textEnd && char.IsWhiteSpace(_src[textStart])) textStart++;
            else if (trimNewline)
            {
                if (textStart < textEnd && _src[textStart] == '\n') textStart++;
                else if (textStart + 1 < textEnd && _src[textStart] == '\r' && _src[textStart + 1] == '\n') textStart += 2;
            }
            if (open < 0)
            {
                EmitText(textStart, textEnd);
                break;
            }
            char kind = _src[open + 1];
            char modifier = open + 2 < _src.Length ? _src[open + 2] : '\0';
            if (modifier == '-') while (textEnd > textStart && char.IsWhiteSpace(_src[textEnd - 1])) textEnd--;
            else if (kind != '{' && _lstripBlocks && modifier != '+')
            {
                int k = textEnd;
                while (k > textStart && (_src[k - 1] == ' ' || _src[k - 1] == '\t')) k--;
                if (k == 0 || _src[k - 1] == '\n') textEnd = k;
            }
            EmitText(textStart, textEnd);
            int inner = open + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            if (kind == '#')
            {
                int close = _src.IndexOf("#}", inner, StringComparison.Ordinal);
                if (close < 0) throw Error("unclosed comment: '{#' has no matching '#}'", open);
                stripNext = _src[close - 1] == '-' && close - 1 >= inner;
                trimNewline = _trimBlocks;
                pos = close + 2;
                continue;
            }
            bool isVar = kind == '{';
            _tokens.Add(Make(isVar ? TokenKind.VarBegin : TokenKind.BlockBegin, isVar ? "{{" : "{%", open));
            pos = LexExpression(inner, isVar, open, out stripNext);
            trimNewline = !isVar && _trimBlocks;
        }
        _tokens.Add(Make(TokenKind.Eof, "", _src.Length));
    }

    private int FindOpen(int from)
    {
        for (int i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
        {
            char c = _src[i + 1];
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    private void EmitText(int start, int end)
    {
        if (end > start) _tokens.Add(Make(TokenKind.Text, _src[start..end], start));
    }

    /// <summary>Lexes expression tokens up to the closing delimiter; returns the position after it.</summary>
    private int LexExpression(int p, bool isVar, int open, out bool stripAfter)
    {
        string close = isVar ? "}}" : "%}";
        int depth = 0;
        while (true)
        {
            while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
            if (p >= _src.Length) throw Error($"unclosed tag: '{(isVar ? "{{" : "{%")}' has no matching '{close}'", open);
            if (depth == 0 && _src[p] == '-' && string.CompareOrdinal(_src, p + 1, close, 0, 2) == 0)
            {
                _tokens.Add(Make(isVar ? TokenKind.VarEnd : TokenKind.BlockEnd, close, p));
                stripAfter = true;
                return p + 3;
            }
            if (depth == 0 && string.CompareOrdinal(_src, p, close, 0, 2) == 0)
            {
                _tokens.Add(Make(isVar ? TokenKind.VarEnd : TokenKind.BlockEnd, close, p));
                stripAfter = false;
                return p + 2;
            }
            char c = _src[p];
            if (char.IsLetter(c) || c == '_')
            {
                int s = p;
                while (p < _src.Length && (char.IsLetterOrDigit(_src[p]) || _src[p] == '_')) p++;
                _tokens.Add(Make(TokenKind.Name, _src[s..p], s));
            }
            else if (char.IsAsciiDigit(c))
            {
                int s = p;
                while (p < _src.Length && (char.IsAsciiDigit(_src[p]) || _src[p] == '_')) p++;
                bool isFloat = false;
                if (p + 1 < _src.Length && _src[p] == '.' && char.IsAsciiDigit(_src[p + 1]))
                {
                    isFloat = true;
                    p++;
                    while (p < _src.Length && char.IsAsciiDigit(_src[p])) p++;
                }
                _tokens.Add(Make(isFloat ? TokenKind.Float : TokenKind.Integer, _src[s..p].Replace("_", ""), s));
            }
            else if (c == '\'' || c == '"') p = LexString(p);
            else
            {
                string? op = null;
                foreach (var o in Operators) if (string.CompareOrdinal(_src, p, o, 0, o.Length) == 0) { op = o; break; }
                if (op == null) throw Error($"unexpected character '{c}' in expression", p);
                if (op is "(" or "[" or "{") depth++;
                else if (op is ")" or "]" or "}") depth--;
                _tokens.Add(Make(TokenKind.Operator, op, p));
                p += op.Length;
            }
        }
    }

    private int LexString(int p)
    {
        char quote = _src[p];
        int start = p++;
        var sb = new StringBuilder();
        while (true)
        {
            if (p >= _src.Length) throw Error("unterminated string literal", start);
            char c = _src[p++];
            if (c == quote) break;
            if (c != '\\' || p >= _src.Length) { sb.Append(c); continue; }
            char e = _src[p++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'u' when p + 4 <= _src.Length:
                    sb.Append((char)int.Parse(_src.AsSpan(p, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    p += 4;
                    break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        _tokens.Add(Make(TokenKind.String, sb.ToString(), start));
        return p;
    }
}
