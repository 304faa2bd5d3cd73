// LanguageId: English / Chinese / code / other from script ratios and character n-gram statistics (in the spirit
// of Cavnar & Trenkle 1994, "N-Gram-Based Text Categorization", with a fixed English trigram profile): Han share
// of letters for Chinese, code-symbol and keyword density for code, Latin share plus the share of letter trigrams
// that fall in the 60 most frequent English trigrams and the share of English function words for English.
using SharpLM.Data.IO;

namespace SharpLM.Data.Filters;

public enum Language { English, Chinese, Code, Other }

public sealed record LanguageScores(Language Language, double HanShare, double LatinShare, double CodeScore, double EnglishTrigramShare, double EnglishStopWordShare);

public static class LanguageId
{
    private static readonly HashSet<string> EnglishTrigrams =
    [
        "the", "and", "ing", "ion", "tio", "ent", "ati", "for", "her", "ter", "hat", "tha", "ere", "ate", "his", "con",
        "res", "ver", "all", "ons", "nce", "men", "ith", "ted", "ers", "pro", "thi", "wit", "are", "ess", "not", "ive",
        "was", "ect", "rea", "com", "eve", "per", "int", "est", "sta", "cti", "ica", "ist", "ear", "ain", "one", "our",
        "iti", "rat", "you", "hin", "ome", "ave", "have", "ill", "out", "oth", "ort", "ine",
    ];

    private static readonly HashSet<string> EnglishStopWords =
    [
        "the", "and", "of", "to", "a", "in", "is", "that", "it", "was", "for", "on", "with", "as", "i", "you", "he", "she",
        "be", "his", "her", "not", "my", "me", "your", "we", "they", "this", "have", "but", "at", "by", "are", "so", "what", "all",
    ];

    private static readonly string[] CodeKeywords =
        ["def ", "return", "class ", "import ", "public ", "void ", "function", "const ", "#include", "if (", "for (", "=>", "();", "var ", "let ", "static ", "int ", "elif ", "self.", "this."];

    public static LanguageScores Score(string text)
    {
        long han = 0, latin = 0, otherLetters = 0, code = 0, nonSpace = 0;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) continue;
            nonSpace++;
            if (c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf' or >= '\uf900' and <= '\ufaff') han++;
            else if (char.IsAsciiLetter(c) || (c is >= '\u00c0' and <= '\u024f')) latin++;
            else if (char.IsLetter(c)) otherLetters++;
            else if ("{}[]();=<>_*&|#$\\/".Contains(c)) code++;
        }
        long letters = Math.Max(1, han + latin + otherLetters);
        double hanShare = (double)han / letters, latinShare = (double)latin / letters;
        int lines = Math.Max(1, text.Count(c => c == '\n') + 1);
        int kw = CodeKeywords.Sum(k => Count(text, k));
        double codeScore = (double)code / Math.Max(1, nonSpace) + Math.Min(1.0, (double)kw / lines);
        // English trigram share over letters-only words
        long tri = 0, hit = 0, words = 0, stop = 0;
        Span<char> buf = stackalloc char[3];
        foreach (var w in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            words++;
            if (EnglishStopWords.Contains(w.Trim(',', '.', ';', ':', '!', '?', '"', '\'').ToLowerInvariant())) stop++;
            for (int i = 0; i + 3 <= w.Length; i++)
            {
                for (int j = 0; j < 3; j++) buf[j] = char.ToLowerInvariant(w[i + j]);
                if (!char.IsAsciiLetter(buf[0]) || !char.IsAsciiLetter(buf[1]) || !char.IsAsciiLetter(buf[2])) continue;
                tri++;
                if (EnglishTrigrams.Contains(new string(buf))) hit++;
            }
        }
        double en = tri == 0 ? 0 : (double)hit / tri, stopShare = words == 0 ? 0 : (double)stop / words;
        Language lang = hanShare > 0.3 ? Language.Chinese
            : codeScore > 0.35 ? Language.Code
            : latinShare > 0.8 && en > 0.18 && stopShare > 0.12 ? Language.English
            : Language.Other;
        return new LanguageScores(lang, hanShare, latinShare, codeScore, en, stopShare);
    }

    private static int Count(string s, string sub)
    {
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}

/// <summary>Keeps documents identified as one of <paramref name="allowed"/>; reason "language:other" etc.</summary>
public sealed class LanguageFilter(params Language[] allowed) : IDocumentFilter
{
    public string? Reject(Document doc)
    {
        var l = LanguageId.Score(doc.Text).Language;
        return allowed.Contains(l) ? null : "language:" + l.ToString().ToLowerInvariant();
    }
}
