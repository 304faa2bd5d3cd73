// BertPreTokenizer: BERT's "basic tokenizer" as in HF tokenizers' BertNormalizer + BertPreTokenizer:
// drop control characters and map whitespace to ' ', put spaces around CJK ideographs, optionally strip
// accents (NFD, drop nonspacing marks) and lower-case, then split on whitespace and isolate punctuation.
// With LlamaCpp set it is llama.cpp's WPM preprocess instead (what GGUF vocabularies get): each code point becomes
// the FIRST code point of its canonical decomposition (é -> e, 한 -> ᄒ; combining marks already in the text stay),
// White_Space splits, C* (Cc Cf Co Cs) is dropped, lower-case, and P*, ASCII S* and CJK ideographs stand alone.
using System.Globalization;
using System.Text;

namespace SharpLM.Text.WordPiece;

/// <summary>BERT's normalization and word splitting.</summary>
public sealed record BertPreTokenizer(bool Lowercase = true, bool? StripAccents = null, bool HandleChineseChars = true, bool CleanText = true,
    bool LlamaCpp = false)
{
    /// <summary>The words of <paramref name="text"/> after normalization.</summary>
    public List<string> Split(ReadOnlySpan<char> text)
    {
        if (LlamaCpp) return SplitLlamaCpp(text);
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
                if (!Normalization.HfNormalizer.IsCombiningMark(ch)) sb2.Append(ch);
            s = sb2.ToString();
        }
        if (Lowercase) s = s.ToLowerInvariant();
        return s;
    }

    // llama.cpp's llm_tokenizer_wpm_session::preprocess.
    private static List<string> SplitLlamaCpp(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        foreach (var r0 in text.EnumerateRunes())
        {
            var r = FirstOfDecomposition(r0);
            if (Rune.IsWhiteSpace(r)) { Flush(); continue; }
            var cat = Rune.GetUnicodeCategory(r);
            if (r.Value is 0 or 0xFFFD || cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate)
                continue;
            string s = Rune.ToLowerInvariant(r).ToString();
            bool symbol = cat is UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
            if (IsUnicodePunctuation(cat) || (r.Value < 0x7F && symbol) || IsLlamaCppChinese(r.Value)) { Flush(); words.Add(s); }
            else cur.Append(s);
        }
        Flush();
        return words;

        void Flush() { if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); } }
    }

    // llama.cpp's unicode_cpts_normalize_nfd keeps only the first code point of each character's decomposition.
    private static Rune FirstOfDecomposition(Rune r)
    {
        if (r.Value < 0xC0) return r;
        string s = r.ToString();
        string d = s.Normalize(NormalizationForm.FormD);
        return d == s ? r : Rune.GetRuneAt(d, 0);
    }

    private static bool IsUnicodePunctuation(UnicodeCategory c) => c is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    // llama.cpp's is_chinese_char (0x2B920, not 0x2B820, as its comment says HF's Rust code has it).
    private static bool IsLlamaCppChinese(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
          or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

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
