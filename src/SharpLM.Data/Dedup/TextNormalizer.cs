// TextNormalizer: the normal form hashed by exact dedup (CCNet-style: NFKC, lower case, whitespace collapsed,
// digits and punctuation kept as they are).
using System.Text;

namespace SharpLM.Data.Dedup;

public static class TextNormalizer
{
    public static string Normalize(string text)
    {
        var s = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
