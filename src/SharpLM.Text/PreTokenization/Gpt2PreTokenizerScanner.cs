// Gpt2PreTokenizerScanner: a hand-written matcher equivalent to the GPT-2 pre-tokenizer regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// under .NET's regex semantics (UTF-16 code units; \s = [\f\n\r\t\v\x85\p{Z}], i.e. char.IsWhiteSpace), several
// times faster than the compiled regex. RegexPreTokenizer uses it when its only pattern is GPT-2's; a test checks it
// against the regex on the corpora and on random Unicode.
using System.Globalization;

namespace SharpLM.Text.PreTokenization;

internal static class Gpt2PreTokenizerScanner
{
    private enum Kind : byte { Space, Letter, Number, Other }

    private static readonly Kind[] Ascii = BuildAscii();

    private static Kind[] BuildAscii()
    {
        var k = new Kind[128];
        for (int c = 0; c < 128; c++) k[c] = Classify((char)c);
        return k;
    }

    private static Kind Classify(char c)
    {
        if (char.IsWhiteSpace(c)) return Kind.Space;
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.UppercaseLetter: case UnicodeCategory.LowercaseLetter: case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter: case UnicodeCategory.OtherLetter:
                return Kind.Letter;
            case UnicodeCategory.DecimalDigitNumber: case UnicodeCategory.LetterNumber: case UnicodeCategory.OtherNumber:
                return Kind.Number;
            default:
                return Kind.Other;
        }
    }

    private static Kind Of(char c) => c < 128 ? Ascii[c] : Classify(c);

    /// <summary>Appends the pre-tokens of <paramref name="text"/> as (start, length).</summary>
    public static void Split(ReadOnlySpan<char> text, int offset, List<PreToken> pieces)
    {
        int n = text.Length, i = 0;
        while (i < n)
        {
            int end = Match(text, i);
            pieces.Add(new PreToken(offset + i, end - i));
            i = end;
        }
    }

    private static int Match(ReadOnlySpan<char> t, int i)
    {
        int n = t.Length;
        char c = t[i];
        if (c == '\'' && i + 1 < n)
        {
            char d = t[i + 1];
            if (d is 's' or 't' or 'm' or 'd') return i + 2;
            if (i + 2 < n)
            {
                char e = t[i + 2];
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return i + 3;
            }
        }
        int start = i;
        Kind k = Of(c);
        if (c == ' ' && i + 1 < n)
        {
            Kind next = Of(t[i + 1]);
            if (next != Kind.Space) { k = next; start = i + 1; }
        }
        if (k != Kind.Space)
        {
            int j = start + 1;
            while (j < n && Of(t[j]) == k) j++;
            return j;
        }
        // Whitespace: \s+(?!\S) takes the run but leaves its last character when a non-space follows;
        // a single whitespace character before a non-space falls to \s+.
        int r = i + 1;
        while (r < n && Of(t[r]) == Kind.Space) r++;
        if (r == n || r - i == 1) return r;
        return r - 1;
    }
}
