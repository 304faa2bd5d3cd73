// BertPreTokenizer: BERT's BasicTokenizer as a normalisation pass plus one regular expression, so the
// parallel PreTokenCounter can use it. Normalisation (Devlin et al. 2018, tokenization.py): drop NUL, U+FFFD
// and control characters, map whitespace to ' ', and for uncased models lower-case and strip accents (NFD,
// drop non-spacing marks). Splitting: every CJK ideograph is its own word, every punctuation character (Unicode
// P* plus the ASCII symbols BERT counts as punctuation) is its own word, the rest splits on whitespace.
// CJK ranges: U+4E00–9FFF, U+3400–4DBF, U+F900–FAFF and the supplementary ideograph planes via surrogate pairs
// (U+20000–2FFFF; BERT lists sub-ranges of these).
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SharpLM.Text.Training;

/// <summary>BERT basic pre-tokenization.</summary>
public static class BertPreTokenizer
{
    private const string Punct = @"\p{P}!-/:-@\[-`{-~";
    private const string Cjk = @"\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF";
    private const string CjkPair = @"[\uD840-\uD87F][\uDC00-\uDFFF]";

    /// <summary>The splitting pattern, to be run on normalised text.</summary>
    public const string Pattern = "[" + Punct + "]|[" + Cjk + "]|" + CjkPair + "|(?:(?!" + CjkPair + ")[^\\s" + Punct + Cjk + "])+";

    private static readonly Regex Compiled = new(Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>BERT's text cleaning, and lower-casing with accent stripping when <paramref name="lowercase"/>.</summary>
    public static string Normalize(string text, bool lowercase)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c == '\0' || c == '\uFFFD') continue;
            if (c is '\t' or '\n' or '\r' || char.IsWhiteSpace(c)) { sb.Append(' '); continue; }
            var cat = char.GetUnicodeCategory(c);
            if (cat is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            sb.Append(c);
        }
        if (!lowercase) return sb.ToString();
        var decomposed = sb.ToString().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        sb.Clear();
        foreach (char c in decomposed) if (char.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(c);
        return sb.ToString();
    }

    /// <summary>The words of <paramref name="text"/>.</summary>
    public static IEnumerable<string> Split(string text, bool lowercase = true)
    {
        var normalized = Normalize(text, lowercase);
        foreach (Match m in Compiled.Matches(normalized)) yield return m.Value;
    }

    internal static Regex Regex => Compiled;
}
