// HfNormalizer: HF tokenizers' normalizers for tokenizer.json models that apply them to each plain segment before
// pre-tokenization: NFC, NFD, NFKC, NFKD, Lowercase, Strip (left/right), StripAccents (drop combining marks Mn/Mc/Me), Replace
// (String or Regex pattern -> content), Prepend, Sequence. Anything else is an error naming its JSON path.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SharpLM.Text.Normalization;

/// <summary>A text -> text normalization built from a tokenizer.json "normalizer" object.</summary>
public static class HfNormalizer
{
    /// <summary>HF's is_combining_mark (Mn, Mc, Me): what StripAccents and BertNormalizer's strip_accents drop.</summary>
    public static bool IsCombiningMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>The normalizer function, or null for none.</summary>
    public static Func<string, string>? From(JsonElement? n, string where, string path = "normalizer")
    {
        if (n is not JsonElement e || e.ValueKind != JsonValueKind.Object) return null;
        string type = e.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        bool Flag(string name, bool dflt) => e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.True : dflt;
        switch (type)
        {
            case "NFC": return s => s.Normalize(NormalizationForm.FormC);
            case "NFD": return s => s.Normalize(NormalizationForm.FormD);
            case "NFKC": return s => s.Normalize(NormalizationForm.FormKC);
            case "NFKD": return s => s.Normalize(NormalizationForm.FormKD);
            case "Lowercase": return s => s.ToLowerInvariant();
            case "Strip":
                bool left = Flag("strip_left", true), right = Flag("strip_right", true);
                return s => left && right ? s.Trim() : left ? s.TrimStart() : right ? s.TrimEnd() : s;
            case "StripAccents":
                return s =>
                {
                    var sb = new StringBuilder(s.Length);
                    foreach (char c in s) if (!IsCombiningMark(c)) sb.Append(c);
                    return sb.ToString();
                };
            case "Prepend":
                string pre = e.GetProperty("prepend").GetString()!;
                return s => s.Length == 0 ? s : pre + s;
            case "Replace":
                string content = e.GetProperty("content").GetString()!;
                var pat = e.GetProperty("pattern");
                if (pat.TryGetProperty("String", out var str)) { string from = str.GetString()!; return s => s.Replace(from, content, StringComparison.Ordinal); }
                var re = new Regex(pat.GetProperty("Regex").GetString()!, RegexOptions.CultureInvariant);
                return s => re.Replace(s, content);
            case "Sequence":
                var parts = new List<Func<string, string>>();
                int i = 0;
                foreach (var c in e.GetProperty("normalizers").EnumerateArray())
                    if (From(c, where, $"{path}.normalizers[{i++}]") is { } f) parts.Add(f);
                return s => { foreach (var f in parts) s = f(s); return s; };
            default:
                throw new NotSupportedException($"{where}: {path}.type \"{type}\" is not supported for this model (supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, Sequence).");
        }
    }
}
