// `sharplm ngram train --text FILE --order N --out model.arpa [--variant modified|nltk]` and
// `sharplm ngram ppl --arpa model.arpa --text FILE`: the Kneser-Ney n-gram LM of SharpLM.Data (one sentence
// per line, whitespace tokens), written and read as ARPA (KenLM-compatible).
using System.CommandLine;
using SharpLM.Data.NGram;

namespace SharpLM.Cli;

internal static class NGramCommand
{
    public static Command Create()
    {
        var text = new Option<FileInfo>("--text") { Description = "Text, one sentence per line.", Required = true };
        var order = new Option<int>("--order") { DefaultValueFactory = _ => 3 };
        var outFile = new Option<string>("--out") { Description = "ARPA file to write.", Required = true };
        var variant = new Option<KneserNeyVariant>("--variant") { DefaultValueFactory = _ => KneserNeyVariant.Modified };
        var train = new Command("train", "Train an interpolated Kneser-Ney model and write it as ARPA.") { text, order, outFile, variant };
        train.SetAction(r => Guard(() =>
        {
            var lines = File.ReadLines(r.GetValue(text)!.FullName).Where(l => l.Trim().Length > 0);
            var model = KneserNey.Train(lines, new KneserNeyOptions { Order = r.GetValue(order), Variant = r.GetValue(variant) });
            Arpa.Write(model, r.GetValue(outFile)!);
            Console.WriteLine($"wrote {r.GetValue(outFile)} (order {r.GetValue(order)}, {r.GetValue(variant)})");
        }));
        var arpa = new Option<FileInfo>("--arpa") { Required = true };
        var text2 = new Option<FileInfo>("--text") { Description = "Text to score, one sentence per line.", Required = true };
        var ppl = new Command("ppl", "Perplexity of a text under an ARPA model.") { arpa, text2 };
        ppl.SetAction(r => Guard(() =>
        {
            var model = Arpa.Read(r.GetValue(arpa)!.FullName);
            var res = model.ScoreCorpus(File.ReadLines(r.GetValue(text2)!.FullName).Where(l => l.Trim().Length > 0));
            Console.WriteLine($"perplexity {res.Perplexity:F4} over {res.Predictions:N0} predictions ({res.Oov:N0} out-of-vocabulary words excluded), log10 prob {res.Log10Prob:F3}");
        }));
        return new Command("ngram", "Statistical n-gram language models (Kneser-Ney, ARPA).") { train, ppl };
    }

    private static int Guard(Action a)
    {
        try { a(); return 0; }
        catch (Exception e) when (e is FormatException or FileNotFoundException or ArgumentException or InvalidOperationException or InvalidDataException)
        {
            Console.Error.WriteLine($"ngram: {e.Message}");
            return 2;
        }
    }
}
