// BertPreTokenizer: BERT's "basic tokenizer" as in HF tokenizers' BertNormalizer + BertPreTokenizer:
// drop control characters and map whitespace to ' ', put spaces around CJK ideographs, optionally strip
// accents (NFD, drop nonspacing marks) and lower-case, then split on whitespace and isolate punctuation.
using System.Globalization;
using System.Text;

namespace SharpLM.Text.WordPiece;

/// <summary>BERT's normalization and word splitting.</summary>
public sealed record BertPreTokenizer(bool Lowercase = true, bool? StripAccents = null, bool HandleChineseChars = true, bool CleanText = true)
{
    /// <summary>The words of <paramref name="text"/> after normalization.</summary>
    public List<string> Split(ReadOnlySpan<char> text)
    {
        string s = Normalize(text);
        var words = new List<string>();
        var cur = new StringBuilder();
        for (int i = 0; i < s.Length;)
        {
            var rune = Rune.GetRuneAt(s, i);
            int w = rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune)) { Flush(); }
            else if (IsPunctuation(rune)) { Flush(); words.Add(s.Substring(i, w)); }
            else cur.Append(s, i, w);
            i += w;
        }
        Flush();
        return words;

        void Flush() { if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); } }
    }

    /// <summary>BertNormalizer.</summary>
    public string Normalize(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            if (CleanText)
            {
                if (c == 0 || c == 0xFFFD || IsControl(rune)) continue;
                if (IsWhitespace(rune)) { sb.Append(' '); continue; }
            }
            if (HandleChineseChars && IsCjk(c)) { sb.Append(' ').Append(rune.ToString()).Append(' '); continue; }
            sb.Append(rune.ToString());
        }
        string s = sb.ToString();
        if (StripAccents ?? Lowercase)
        {
            var nfd = s.Normalize(NormalizationForm.FormD);
            var sb2 = new StringBuilder(nfd.Length);
            foreach (char ch in nfd)
                if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark) sb2.Append(ch);
            s = sb2.ToString();
        }
        if (Lowercase) s = s.ToLowerInvariant();
        return s;
    }

    private static bool IsWhitespace(Rune r) => r.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(r);

    private static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        var cat = Rune.GetUnicodeCategory(r);
        return cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>ASCII punctuation or a Unicode punctuation category (BERT's _is_punctuation).</summary>
    public static bool IsPunctuation(Rune r)
    {
        int c = r.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideographs blocks BERT pads with spaces.</summary>
    public static bool IsCjk(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
          or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
