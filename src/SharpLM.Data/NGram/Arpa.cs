// Arpa: reads and writes the ARPA back-off format (Doug Paul's; as written by SRILM, KenLM lmplz and IRSTLM):
//   \data\  ngram k=COUNT ...  \k-grams:  "log10prob<TAB>w1 w2 ...[<TAB>log10backoff]"  \end\
// log10(0) is written as -99; a missing back-off is 0. Words are separated by single spaces.
// ARPA does not say how sentences are padded, so the writer puts "# sharplm-padding: arpa|nltk" before \data\
// (KenLM accepts only blank and '#' lines there; SRILM skips any text there), and the reader uses it unless the
// caller names a padding; a file without the marker is scored the ARPA way (one <s>, one </s>).
using System.Globalization;
using System.Text;

namespace SharpLM.Data.NGram;

public static class Arpa
{
    /// <summary>The header comment that records the model's sentence padding.</summary>
    public const string PaddingMarker = "# sharplm-padding:";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (temporary file, then rename);
    /// <paramref name="comment"/> lines go before \data\ as '#' comments.</summary>
    public static void Write(BackoffModel model, string path, string? comment = null)
    {
        var tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp, false, new UTF8Encoding(false))) Write(model, w, comment);
        File.Move(tmp, path, overwrite: true);
    }

    public static void Write(BackoffModel model, TextWriter w, string? comment = null)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var c in (comment ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)) w.Write($"# {c.TrimEnd()}\n");
        var how = model.Padding == SentencePadding.Single ? "one <s> and one </s> per sentence (ARPA/KenLM/SRILM)"
            : "order-1 <s> and order-1 </s> per sentence, every n-gram of the padded sentence scored, as NLTK's pad_both_ends";
        w.Write($"{PaddingMarker} {model.Padding.Name()}\n# ({how})\n");
        w.Write("\n\\data\\\n");
        for (int k = 1; k <= model.Order; k++) w.Write($"ngram {k}={model.Of(k).Count}\n");
        var v = model.Vocabulary;
        var sb = new StringBuilder();
        for (int k = 1; k <= model.Order; k++)
        {
            w.Write($"\n\\{k}-grams:\n");
            var rows = model.Of(k).Select(p => (Words: string.Join(' ', p.Key.ToArray().Select(id => v[id])), p.Value))
                .OrderBy(r => r.Words, StringComparer.Ordinal);
            foreach (var (words, e) in rows)
            {
                sb.Clear();
                sb.Append(Format(e.LogProb)).Append('\t').Append(words);
                if (k < model.Order && e.LogBackoff != 0) sb.Append('\t').Append(Format(e.LogBackoff));
                sb.Append('\n');
                w.Write(sb);
            }
        }
        w.Write("\n\\end\\\n");

        string Format(double x) => x <= BackoffModel.LogZero || double.IsNegativeInfinity(x) ? "-99" : x.ToString("G9", inv);
    }

    /// <summary>Reads an ARPA file. <paramref name="padding"/> is how sentences are scored; null: as the file's
    /// "# sharplm-padding:" marker says, or the ARPA way (<see cref="SentencePadding.Single"/>) without one.</summary>
    public static BackoffModel Read(string path, SentencePadding? padding = null)
    {
        using var r = new StreamReader(path, Encoding.UTF8);
        return Read(r, path, padding);
    }

    public static BackoffModel Read(TextReader r, string source, SentencePadding? padding = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var declared = new List<long>();
        string? line;
        int lineNo = 0;
        SentencePadding? recorded = null;
        while ((line = r.ReadLine()) is not null && line.Trim() != "\\data\\")
        {
            lineNo++;
            var t = line.Trim();
            if (!t.StartsWith(PaddingMarker, StringComparison.Ordinal)) continue;
            try { recorded = SentencePaddingNames.Parse(t[PaddingMarker.Length..]); }
            catch (FormatException e) { throw new FormatException($"{source}:{lineNo}: {e.Message}"); }
        }
        if (line is null) throw new FormatException($"{source}: no \\data\\ section; not an ARPA file.");
        lineNo++;
        while ((line = r.ReadLine()) is not null)
        {
            lineNo++;
            var t = line.Trim();
            if (t.Length == 0) { if (declared.Count > 0) break; continue; }
            if (!t.StartsWith("ngram ", StringComparison.Ordinal)) throw new FormatException($"{source}:{lineNo}: expected 'ngram K=COUNT', got '{t}'.");
            var kv = t[6..].Split('=');
            if (kv.Length != 2 || int.Parse(kv[0], inv) != declared.Count + 1) throw new FormatException($"{source}:{lineNo}: expected 'ngram {declared.Count + 1}=COUNT', got '{t}'.");
            declared.Add(long.Parse(kv[1], inv));
        }
        int order = declared.Count;
        if (order == 0) throw new FormatException($"{source}: the \\data\\ section lists no n-gram counts.");
        if (order > NGramKey.MaxOrder) throw new FormatException($"{source}: order {order} exceeds the supported maximum {NGramKey.MaxOrder}.");
        var vocab = new LmVocabulary();
        var model = new BackoffModel(order, vocab, padding ?? recorded ?? SentencePadding.Single);
        int k = 0;
        Span<int> ids = stackalloc int[NGramKey.MaxOrder];
        while ((line = r.ReadLine()) is not null)
        {
            lineNo++;
            var t = line.Trim();
            if (t.Length == 0) continue;
            if (t == "\\end\\") break;
            if (t.StartsWith('\\'))
            {
                if (!t.EndsWith("-grams:", StringComparison.Ordinal) || !int.TryParse(t[1..t.IndexOf('-')], inv, out int nk) || nk != k + 1)
                    throw new FormatException($"{source}:{lineNo}: expected '\\{k + 1}-grams:', got '{t}'.");
                k = nk;
                continue;
            }
            if (k == 0) throw new FormatException($"{source}:{lineNo}: n-gram line before any '\\k-grams:' header.");
            var f = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != k + 1 && f.Length != k + 2) throw new FormatException($"{source}:{lineNo}: a {k}-gram line needs a log10 probability, {k} words and an optional back-off; got {f.Length} fields.");
            if (!double.TryParse(f[0], NumberStyles.Float, inv, out double lp)) throw new FormatException($"{source}:{lineNo}: bad log10 probability '{f[0]}'.");
            double bo = 0;
            if (f.Length == k + 2 && !double.TryParse(f[^1], NumberStyles.Float, inv, out bo)) throw new FormatException($"{source}:{lineNo}: bad log10 back-off '{f[^1]}'.");
            for (int i = 0; i < k; i++) ids[i] = vocab.Add(f[1 + i]);
            model.Set(new NGramKey(ids[..k]), new ArpaEntry(lp, bo));
        }
        for (int i = 1; i <= order; i++)
            if (model.Of(i).Count != declared[i - 1]) throw new FormatException($"{source}: \\data\\ declares ngram {i}={declared[i - 1]} but the file lists {model.Of(i).Count}.");
        return model;
    }
}
