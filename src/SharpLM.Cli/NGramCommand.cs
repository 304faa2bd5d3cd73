// `sharplm ngram train --text FILE --order N --out model.arpa [--variant Modified|NltkInterpolated] [--discount D]`
// and `sharplm ngram ppl --arpa model.arpa --text FILE [--padding nltk|arpa]`: the Kneser-Ney n-gram LM of
// SharpLM.Data (one sentence per line, whitespace tokens), written and read as ARPA (KenLM-compatible). The
// ARPA file records its sentence padding in a '#' line before \data\; ppl scores that way unless --padding says
// otherwise (NGramFiles does the file work; this file parses options and prints).
using System.CommandLine;
using SharpLM.Data.NGram;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class NGramCommand
{
    public static Command Create()
    {
        var text = new Option<FileInfo>("--text") { Description = "Text, one sentence per line.", Required = true };
        var order = CliOptions.Range(new Option<int>("--order") { Description = $"n-gram order, 1..{NGramKey.MaxOrder} (NltkInterpolated: 2..{NGramKey.MaxOrder}).", DefaultValueFactory = _ => 3 }, 1, NGramKey.MaxOrder);
        var outFile = new Option<string>("--output", "-o", "--out") { Description = "ARPA file to write.", Required = true };
        var variant = new Option<KneserNeyVariant>("--variant")
        {
            Description = "Modified: KenLM-style modified KN, one <s> and one </s> per sentence (ARPA padding). "
                + "NltkInterpolated: nltk.lm.KneserNeyInterpolated, order-1 <s> and </s> per sentence (NLTK padding); "
                + "the file records which, and `ngram ppl` scores that way.",
            DefaultValueFactory = _ => KneserNeyVariant.Modified,
        };
        var discount = CliOptions.Range(new Option<double?>("--discount") { Description = "NltkInterpolated only: the single discount, in (0, 1] (default 0.1, NLTK's)." }, 0, 1, minExclusive: true);
        var train = new Command("train", "Train an interpolated Kneser-Ney model and write it as ARPA (with its padding convention in a '#' header line).") { text, order, outFile, variant, discount };
        train.SetAction(r => Guard("ngram train", () =>
        {
            var v = r.GetValue(variant);
            var d = r.GetValue(discount);
            if (d is not null && v != KneserNeyVariant.NltkInterpolated)
                throw new ArgumentException("--discount applies to --variant NltkInterpolated only (Modified estimates D1, D2, D3+ from count-of-counts).");
            CliFiles.RequireWritableFile(r.GetValue(outFile)!);
            var options = new KneserNeyOptions { Order = r.GetValue(order), Variant = v, Discount = d ?? new KneserNeyOptions().Discount };
            NGramFiles.Train(r.GetValue(text)!.FullName, options, r.GetValue(outFile)!);
            var how = v == KneserNeyVariant.NltkInterpolated ? $", discount {options.Discount}" : "";
            Console.WriteLine($"wrote {r.GetValue(outFile)} (order {options.Order}, {v}{how}, padding {options.Padding.Name()})");
        }));
        var arpa = new Option<FileInfo>("--arpa") { Description = "ARPA model file.", Required = true };
        var text2 = new Option<FileInfo>("--text") { Description = "Text to score, one sentence per line.", Required = true };
        var padding = new Option<string?>("--padding")
        {
            Description = "nltk: order-1 <s> and order-1 </s> per sentence, every n-gram of the padded sentence scored "
                + "(NLTK perplexity over pad_both_ends n-grams). arpa: one <s> context and one </s> prediction per sentence "
                + "(KenLM/SRILM). Default: what the file's '# sharplm-padding:' line says; arpa when it has none.",
        };
        padding.AcceptOnlyFromAmong(SentencePaddingNames.Nltk, SentencePaddingNames.Arpa);
        var ppl = new Command("ppl", "Corpus perplexity of a text under an ARPA model (10^(-total log10 prob / predictions)).") { arpa, text2, padding };
        ppl.SetAction(r => Guard("ngram ppl", () =>
        {
            var asked = r.GetValue(padding);
            var (res, used) = NGramFiles.Perplexity(r.GetValue(arpa)!.FullName, r.GetValue(text2)!.FullName,
                asked is null ? null : SentencePaddingNames.Parse(asked));
            Console.WriteLine($"perplexity {res.Perplexity:F4} over {res.Predictions:N0} predictions ({res.Oov:N0} out-of-vocabulary words among them, scored as <unk>), "
                + $"log10 prob {res.Log10Prob:F3}, padding {used.Name()}{(asked is null ? "" : " (--padding)")}");
        }));
        return new Command("ngram", "Statistical n-gram language models (Kneser-Ney, ARPA).") { train, ppl };
    }

    private static int Guard(string verb, Action a)
    {
        try { a(); return 0; }
        catch (Exception e) when (e is FormatException or IOException or ArgumentException or InvalidOperationException or InvalidDataException or UnauthorizedAccessException)
        {
            return CliError.Print(verb, e);
        }
    }
}
