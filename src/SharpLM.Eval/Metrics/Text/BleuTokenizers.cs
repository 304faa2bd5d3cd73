// BleuTokenizers: the sacreBLEU 2.x tokenizers — "13a" (mteval-v13a.pl: unescape a few SGML entities, then
// split punctuation with four regular expressions), "zh" (every CJK character becomes its own token, the rest
// as 13a), "intl" (mteval-v14 international: Unicode punctuation and symbols), "char" and "none".
// Source: sacrebleu/tokenizers/tokenizer_{13a,re,zh,intl,char,none}.py (github.com/mjpost/sacrebleu).
using System.Text;
using System.Text.RegularExpressions;

namespace SharpLM.Eval.Metrics.Text;

/// <summary>The tokenizers sacreBLEU's BLEU accepts (its `tokenize=` names).</summary>
public enum BleuTokenizer { Mteval13a, Zh, Intl, Char, None }

/// <summary>sacreBLEU-compatible tokenization of one segment; the result is tokens joined by single spaces.</summary>
public static partial class BleuTokenizers
{
    /// <summary>Parses a sacreBLEU tokenizer name ("13a", "zh", "intl", "char", "none").</summary>
    public static BleuTokenizer Parse(string name) => name switch
    {
        "13a" => BleuTokenizer.Mteval13a,
        "zh" => BleuTokenizer.Zh,
        "intl" => BleuTokenizer.Intl,
        "char" => BleuTokenizer.Char,
        "none" => BleuTokenizer.None,
        _ => throw new ArgumentException($"bleu: unknown tokenizer '{name}'; expected one of 13a, zh, intl, char, none."),
    };

    /// <summary>The sacreBLEU signature name of <paramref name="t"/>.</summary>
    public static string Name(BleuTokenizer t) => t switch
    {
        BleuTokenizer.Mteval13a => "13a",
        BleuTokenizer.Zh => "zh",
        BleuTokenizer.Intl => "intl",
        BleuTokenizer.Char => "char",
        _ => "none",
    };

    public static string Tokenize(string line, BleuTokenizer t) => t switch
    {
        BleuTokenizer.Mteval13a => Tokenize13a(line),
        BleuTokenizer.Zh => TokenizeZh(line),
        BleuTokenizer.Intl => TokenizeIntl(line),
        BleuTokenizer.Char => string.Join(' ', line.EnumerateRunes().Select(r => r.ToString())),
        _ => line,
    };

    // mteval-v13a: the language-independent part, then the shared regular-expression pass.
    public static string Tokenize13a(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        return RegexPass(" " + line + " ");
    }

    // The four substitutions of tokenizer_re.py, then whitespace collapsed as Python's str.split() does.
    internal static string RegexPass(string line)
    {
        line = Punct().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return JoinWhitespaceSplit(line);
    }

    public static string TokenizeZh(string line)
    {
        line = line.Trim(PyWhitespace);
        var sb = new StringBuilder(line.Length * 2);
        foreach (var r in line.EnumerateRunes())
        {
            if (IsChineseChar(r.Value)) sb.Append(' ').Append(r.ToString()).Append(' ');
            else sb.Append(r.ToString());
        }
        return RegexPass(sb.ToString());
    }

    public static string TokenizeIntl(string line)
    {
        line = IntlPunctAfterNonNumber().Replace(line, "$1 $2 ");
        line = IntlPunctBeforeNonNumber().Replace(line, " $1 $2");
        line = IntlSymbol().Replace(line, " $1 ");
        return JoinWhitespaceSplit(line);
    }

    // The ranges of tokenizer_zh.py's _UCODE_RANGES. Its two "UTF16" entries ('\u20000', '\u2a6d6') are
    // Python strings of two characters, compared lexicographically; a single character c satisfies
    // '\u2000' + '0' <= c <= '\u2a6d' + '6' exactly when '\u2001' <= c <= '\u2a6d', and likewise for the second.
    private static readonly (int Lo, int Hi)[] ChineseRanges =
    [
        (0x3400, 0x4db5), (0x4e00, 0x9fa5), (0x9fa6, 0x9fbb), (0xf900, 0xfa2d), (0xfa30, 0xfa6a), (0xfa70, 0xfad9),
        (0x2001, 0x2a6d), (0x2f81, 0x2fa1), (0xff00, 0xffef), (0x2e80, 0x2eff), (0x3000, 0x303f), (0x31c0, 0x31ef),
        (0x2f00, 0x2fdf), (0x2ff0, 0x2fff), (0x3100, 0x312f), (0x31a0, 0x31bf), (0xfe10, 0xfe1f), (0xfe30, 0xfe4f),
        (0x2600, 0x26ff), (0x2700, 0x27bf), (0x3200, 0x32ff), (0x3300, 0x33ff),
    ];

    internal static bool IsChineseChar(int c)
    {
        foreach (var (lo, hi) in ChineseRanges) if (c >= lo && c <= hi) return true;
        return false;
    }

    // Python's str.isspace() set: Unicode White_Space plus the information separators U+001C..U+001F.
    internal static readonly char[] PyWhitespace =
        [.. Enumerable.Range(0, 0x3001).Select(i => (char)i).Where(c => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f'))];

    internal static bool IsPySpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary><c>' '.join(s.split())</c>.</summary>
    internal static string JoinWhitespaceSplit(string s) => string.Join(' ', SplitWhitespace(s));

    /// <summary>Python's <c>s.split()</c>: runs of whitespace separate, no empty tokens.</summary>
    internal static List<string> SplitWhitespace(string s)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsPySpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsPySpace(s[i])) i++;
            if (i > start) tokens.Add(s[start..i]);
        }
        return tokens;
    }

    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")] private static partial Regex Punct();
    [GeneratedRegex(@"([^0-9])([\.,])")] private static partial Regex PeriodCommaAfterNonDigit();
    [GeneratedRegex(@"([\.,])([^0-9])")] private static partial Regex PeriodCommaBeforeNonDigit();
    [GeneratedRegex(@"([0-9])(-)")] private static partial Regex DashAfterDigit();
    [GeneratedRegex(@"(\P{N})(\p{P})")] private static partial Regex IntlPunctAfterNonNumber();
    [GeneratedRegex(@"(\p{P})(\P{N})")] private static partial Regex IntlPunctBeforeNonNumber();
    [GeneratedRegex(@"(\p{S})")] private static partial Regex IntlSymbol();
}
