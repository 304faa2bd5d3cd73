// CodePointView: .NET regexes match UTF-16 code units, so a letter or digit above U+FFFF (a surrogate pair such as
// 𝐀 or 𝟙) is not \p{L} / \p{N} to them, while HF tokenizers (Oniguruma / Rust regex), tiktoken and llama.cpp
// classify whole code points. This view replaces each such pair with one BMP stand-in character of the same
// Unicode general category, so a regex over the view classifies code points as those engines do, and maps
// positions back to the original text. Stand-ins lie outside every literal range of the known pre-tokenizer
// patterns (ASCII, CJK U+0800–U+9FA5 and U+AC00–U+D7FF, kana, fullwidth forms, general punctuation).
using System.Globalization;
using System.Text;

namespace SharpLM.Text.PreTokenization;

/// <summary>Text with each astral code point collapsed to one same-category BMP character.</summary>
internal sealed class CodePointView
{
    // Indexed by UnicodeCategory (0..29).
    private static readonly char[] StandIn =
    [
        '\u03A9', '\u03C9', '\u01C5', '\u02B0', '\u05D0',   // Lu Ll Lt Lm Lo
        '\u0300', '\uA823', '\u0488',                       // Mn Mc Me
        '\u0660', '\uA6E6', '\u00B2',                       // Nd Nl No
        '\u00A0', '\u2028', '\u2029',                       // Zs Zl Zp
        '\u0001', '\u00AD', '\uFFFD', '\uE000',             // Cc Cf (Cs: unused) Co
        '\uFE33', '\u058A', '\uFE59', '\uFE5A', '\u00AB', '\u00BB', '\u00B7', // Pc Pd Ps Pe Pi Pf Po
        '\u00D7', '\u00A2', '\u02C2', '\u00A6',             // Sm Sc Sk So
        '\u0378',                                           // Cn
    ];

    /// <summary>The collapsed text.</summary>
    public string Text { get; }

    private readonly int[] _toOriginal; // view index -> original index (length Text.Length + 1)
    private readonly int[] _toView;     // original index -> view index (length original + 1)

    private CodePointView(string text, int[] toOriginal, int[] toView) { Text = text; _toOriginal = toOriginal; _toView = toView; }

    /// <summary>True when <paramref name="text"/> holds a surrogate pair (so a view is needed).</summary>
    public static bool Needed(ReadOnlySpan<char> text) => text.IndexOfAnyInRange('\uD800', '\uDBFF') >= 0;

    public static CodePointView Build(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        var toOriginal = new List<int>(text.Length + 1);
        var toView = new int[text.Length + 1];
        for (int i = 0; i < text.Length;)
        {
            toView[i] = sb.Length;
            toOriginal.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int cp = char.ConvertToUtf32(text[i], text[i + 1]);
                sb.Append(StandIn[(int)CharUnicodeInfo.GetUnicodeCategory(cp)]);
                toView[i + 1] = sb.Length - 1;
                i += 2;
            }
            else { sb.Append(text[i]); i++; }
        }
        toView[text.Length] = sb.Length;
        toOriginal.Add(text.Length);
        return new CodePointView(sb.ToString(), toOriginal.ToArray(), toView);
    }

    public int ToOriginal(int viewIndex) => _toOriginal[viewIndex];
    public int ToView(int originalIndex) => _toView[originalIndex];

    /// <summary>The category stand-in table (for tests).</summary>
    internal static char StandInFor(UnicodeCategory c) => StandIn[(int)c];
}
