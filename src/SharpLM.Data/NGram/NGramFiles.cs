// NGramFiles: the file-to-file steps behind `sharplm ngram train` and `sharplm ngram ppl` (the CLI only parses
// options and prints), so tests can run the command path end to end: text file -> Kneser-Ney -> ARPA file with
// its padding marker -> perplexity of a text file under the padding the file records (or the one asked for).
namespace SharpLM.Data.NGram;

public static class NGramFiles
{
    /// <summary>Non-blank lines of a text file, one sentence each (whitespace tokens).</summary>
    public static IEnumerable<string> Sentences(string textPath)
    {
        Require(textPath, "a UTF-8 text file, one sentence per line");
        return File.ReadLines(textPath).Where(l => l.Trim().Length > 0);
    }

    /// <summary>Throws naming <paramref name="path"/> when it is missing or a folder.</summary>
    public static void Require(string path, string expected)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected {expected}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected {expected}.", path);
    }

    /// <summary>Trains on <paramref name="textPath"/> and writes the ARPA file (with the padding marker and a
    /// comment saying how it was trained).</summary>
    public static BackoffModel Train(string textPath, KneserNeyOptions options, string arpaPath)
    {
        if (!Sentences(textPath).Any()) throw new InvalidDataException($"{textPath}: no sentences (the file is empty or blank); expected one sentence per line.");
        var model = KneserNey.Train(Sentences(textPath), options);
        var how = options.Variant == KneserNeyVariant.NltkInterpolated
            ? $"discount {options.Discount.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "discounts from count-of-counts";
        Arpa.Write(model, arpaPath, $"sharplm ngram train: order {options.Order}, {options.Variant} Kneser-Ney, {how}, trained on {Path.GetFileName(textPath)}");
        return model;
    }

    /// <summary>Corpus perplexity of <paramref name="textPath"/> under the ARPA model; <paramref name="padding"/>
    /// null: the padding the file records (ARPA's single &lt;s&gt;/&lt;/s&gt; without a marker).</summary>
    public static (PerplexityResult Result, SentencePadding Padding) Perplexity(string arpaPath, string textPath, SentencePadding? padding = null)
    {
        Require(arpaPath, "an ARPA n-gram model (sharplm ngram train writes one)");
        if (!Sentences(textPath).Any()) throw new InvalidDataException($"{textPath}: no sentences (the file is empty or blank); expected one sentence per line to score.");
        var model = Arpa.Read(arpaPath, padding);
        return (model.ScoreCorpus(Sentences(textPath)), model.Padding);
    }
}
