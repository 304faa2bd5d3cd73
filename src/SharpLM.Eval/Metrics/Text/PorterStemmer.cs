// PorterStemmer: M. F. Porter, "An algorithm for suffix stripping" (Program 14(3), 1980), in the variant
// NLTK's PorterStemmer uses by default (mode NLTK_EXTENSIONS) — the stemmer Google's rouge-score calls for
// use_stemmer=True. The NLTK departures from the paper: a small table of irregular forms; words of two
// letters or fewer are left alone; "ies"/"ied" on four-letter words keep "ie"; "ied" → "i"; Step 1c turns y
// into i only after a consonant that is not the first letter; Step 2 has "bli"→"ble" (instead of
// "abli"→"able"), a recursive "alli", "fulli"→"ful" and "logi"→"log"; *o also holds for a two-letter
// vowel-consonant stem. Checked word for word against NLTK 3.8 by tests/oracles/porter_vectors.py.
namespace SharpLM.Eval.Metrics.Text;

public static class PorterStemmer
{
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["sky"] = "sky", ["skies"] = "sky", ["dying"] = "die", ["lying"] = "lie", ["tying"] = "tie",
        ["news"] = "news", ["innings"] = "inning", ["inning"] = "inning", ["outings"] = "outing", ["outing"] = "outing",
        ["cannings"] = "canning", ["canning"] = "canning", ["howe"] = "howe", ["proceed"] = "proceed",
        ["exceed"] = "exceed", ["succeed"] = "succeed",
    };

    /// <summary>The stem of <paramref name="word"/> (lower-cased first).</summary>
    public static string Stem(string word)
    {
        var w = word.ToLowerInvariant();
        if (Irregular.TryGetValue(word, out var irregular)) return irregular;
        if (word.Length <= 2) return w;
        w = Step1a(w);
        w = Step1b(w);
        w = Step1c(w);
        w = Step2(w);
        w = Step3(w);
        w = Step4(w);
        w = Step5a(w);
        return Step5b(w);
    }

    private static bool IsConsonant(string w, int i)
    {
        char c = w[i];
        if (c is 'a' or 'e' or 'i' or 'o' or 'u') return false;
        if (c == 'y') return i == 0 || !IsConsonant(w, i - 1);
        return true;
    }

    // m in [C](VC){m}[V]: the number of vowel→consonant transitions.
    private static int Measure(string stem)
    {
        int m = 0;
        for (int i = 1; i < stem.Length; i++)
            if (!IsConsonant(stem, i - 1) && IsConsonant(stem, i)) m++;
        return m;
    }

    private static bool ContainsVowel(string stem)
    {
        for (int i = 0; i < stem.Length; i++) if (!IsConsonant(stem, i)) return true;
        return false;
    }

    private static bool EndsDoubleConsonant(string w) =>
        w.Length >= 2 && w[^1] == w[^2] && IsConsonant(w, w.Length - 1);

    private static bool EndsCvc(string w) =>
        (w.Length >= 3 && IsConsonant(w, w.Length - 3) && !IsConsonant(w, w.Length - 2) && IsConsonant(w, w.Length - 1)
            && w[^1] is not ('w' or 'x' or 'y'))
        || (w.Length == 2 && !IsConsonant(w, 0) && IsConsonant(w, 1));

    private static string Cut(string w, string suffix) => w[..^suffix.Length];

    // The first rule whose suffix matches decides: its replacement if the condition holds, else no change.
    private static string ApplyRules(string w, (string Suffix, string Repl, Func<string, bool>? Cond)[] rules)
    {
        foreach (var (suffix, repl, cond) in rules)
        {
            if (!w.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var stem = Cut(w, suffix);
            return cond is null || cond(stem) ? stem + repl : w;
        }
        return w;
    }

    private static bool PositiveMeasure(string s) => Measure(s) > 0;
    private static bool MeasureAbove1(string s) => Measure(s) > 1;

    private static string Step1a(string w)
    {
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length == 4) return Cut(w, "ies") + "ie";
        return ApplyRules(w, [("sses", "ss", null), ("ies", "i", null), ("ss", "ss", null), ("s", "", null)]);
    }

    private static string Step1b(string w)
    {
        if (w.EndsWith("ied", StringComparison.Ordinal)) return Cut(w, "ied") + (w.Length == 4 ? "ie" : "i");
        if (w.EndsWith("eed", StringComparison.Ordinal))
        {
            var s = Cut(w, "eed");
            return Measure(s) > 0 ? s + "ee" : w;
        }
        string? stem = null;
        foreach (var suffix in new[] { "ed", "ing" })
            if (w.EndsWith(suffix, StringComparison.Ordinal) && ContainsVowel(Cut(w, suffix))) { stem = Cut(w, suffix); break; }
        if (stem is null) return w;
        if (stem.EndsWith("at", StringComparison.Ordinal)) return stem + "e";
        if (stem.EndsWith("bl", StringComparison.Ordinal)) return stem + "e";
        if (stem.EndsWith("iz", StringComparison.Ordinal)) return stem + "e";
        if (EndsDoubleConsonant(stem)) return stem[^1] is 'l' or 's' or 'z' ? stem : stem[..^1];
        return Measure(stem) == 1 && EndsCvc(stem) ? stem + "e" : stem;
    }

    private static string Step1c(string w) =>
        ApplyRules(w, [("y", "i", s => s.Length > 1 && IsConsonant(s, s.Length - 1))]);

    private static string Step2(string w)
    {
        if (w.EndsWith("alli", StringComparison.Ordinal) && PositiveMeasure(Cut(w, "alli"))) return Step2(Cut(w, "alli") + "al");
        return ApplyRules(w,
        [
            ("ational", "ate", PositiveMeasure), ("tional", "tion", PositiveMeasure), ("enci", "ence", PositiveMeasure),
            ("anci", "ance", PositiveMeasure), ("izer", "ize", PositiveMeasure), ("bli", "ble", PositiveMeasure),
            ("alli", "al", PositiveMeasure), ("entli", "ent", PositiveMeasure), ("eli", "e", PositiveMeasure),
            ("ousli", "ous", PositiveMeasure), ("ization", "ize", PositiveMeasure), ("ation", "ate", PositiveMeasure),
            ("ator", "ate", PositiveMeasure), ("alism", "al", PositiveMeasure), ("iveness", "ive", PositiveMeasure),
            ("fulness", "ful", PositiveMeasure), ("ousness", "ous", PositiveMeasure), ("aliti", "al", PositiveMeasure),
            ("iviti", "ive", PositiveMeasure), ("biliti", "ble", PositiveMeasure), ("fulli", "ful", PositiveMeasure),
            ("logi", "log", _ => PositiveMeasure(w[..^3])),
        ]);
    }

    private static string Step3(string w) => ApplyRules(w,
    [
        ("icate", "ic", PositiveMeasure), ("ative", "", PositiveMeasure), ("alize", "al", PositiveMeasure),
        ("iciti", "ic", PositiveMeasure), ("ical", "ic", PositiveMeasure), ("ful", "", PositiveMeasure), ("ness", "", PositiveMeasure),
    ]);

    private static string Step4(string w) => ApplyRules(w,
    [
        ("al", "", MeasureAbove1), ("ance", "", MeasureAbove1), ("ence", "", MeasureAbove1), ("er", "", MeasureAbove1),
        ("ic", "", MeasureAbove1), ("able", "", MeasureAbove1), ("ible", "", MeasureAbove1), ("ant", "", MeasureAbove1),
        ("ement", "", MeasureAbove1), ("ment", "", MeasureAbove1), ("ent", "", MeasureAbove1),
        ("ion", "", s => MeasureAbove1(s) && s.Length > 0 && s[^1] is 's' or 't'),
        ("ou", "", MeasureAbove1), ("ism", "", MeasureAbove1), ("ate", "", MeasureAbove1), ("iti", "", MeasureAbove1),
        ("ous", "", MeasureAbove1), ("ive", "", MeasureAbove1), ("ize", "", MeasureAbove1),
    ]);

    private static string Step5a(string w)
    {
        if (!w.EndsWith('e')) return w;
        var s = w[..^1];
        int m = Measure(s);
        return m > 1 || (m == 1 && !EndsCvc(s)) ? s : w;
    }

    private static string Step5b(string w) =>
        w.EndsWith("ll", StringComparison.Ordinal) && Measure(w[..^1]) > 1 ? w[..^1] : w;
}
