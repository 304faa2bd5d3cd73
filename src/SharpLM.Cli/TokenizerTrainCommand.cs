// `sharplm tokenizer-train` (to become `sharplm tokenizer train`): trains a tokenizer vocabulary from text files.
// Thin wrapper over SharpLM.Text.Training: byte-level BPE (vocab.json + merges.txt + tokenizer.json),
// WordPiece (vocab.txt) or SentencePiece-style BPE (tokenizer.vocab, "piece<TAB>score" lines).
using System.CommandLine;
using System.Diagnostics;
using SharpLM.Text.Training;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

/// <summary>Which trainer to run.</summary>
internal enum TokenizerKind { Bpe, WordPiece, SentencePiece }

internal static class TokenizerTrainCommand
{
    /// <summary>The command; <paramref name="name"/> lets a "tokenizer" parent command host it as "train".</summary>
    public static Command Create(string name = "train")
    {
        var input = new Option<FileInfo[]>("--input", "-i") { Description = "Training text files (UTF-8).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Directory for the vocabulary files.", Required = true };
        var kind = new Option<TokenizerKind>("--type") { Description = "bpe (byte-level, GPT-2 style), wordpiece (BERT) or sentencepiece (SentencePiece-style BPE).", DefaultValueFactory = _ => TokenizerKind.Bpe };
        var vocab = CliOptions.AtLeast(new Option<int>("--vocab-size") { Description = "Final vocabulary size, special tokens included.", DefaultValueFactory = _ => 8000 }, 1);
        var special = new Option<string[]>("--special") { Description = "Special tokens (bpe: default <|endoftext|>; wordpiece: default [PAD] [UNK] [CLS] [SEP] [MASK]).", AllowMultipleArgumentsPerToken = true };
        var minFreq = CliOptions.AtLeast(new Option<long>("--min-frequency") { Description = "Pairs seen fewer times are not merged (at least 1).", DefaultValueFactory = _ => 2 }, 1);
        var coverage = CliOptions.Range(new Option<double>("--character-coverage") { Description = "sentencepiece: share of character occurrences the alphabet must cover, in (0, 1].", DefaultValueFactory = _ => 0.9995 }, 0, 1, minExclusive: true);
        var threads = CliOptions.Threads(Math.Min(2, Environment.ProcessorCount), "Threads for pre-token counting.");
        var cmd = new Command(name, "Train a tokenizer vocabulary (byte-level BPE, WordPiece or SentencePiece-style BPE) from text files.")
        {
            input, output, kind, vocab, special, minFreq, coverage, threads,
        };
        cmd.SetAction(r => Run(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(kind), r.GetValue(vocab), r.GetValue(special),
            r.GetValue(minFreq), r.GetValue(coverage), r.GetValue(threads)));
        return cmd;
    }

    private static int Run(FileInfo[] inputs, DirectoryInfo output, TokenizerKind kind, int vocabSize, string[]? specials, long minFrequency, double coverage, int threads)
    {
        const string Verb = "tokenizer train";
        try
        {
            foreach (var f in inputs)
            {
                CliFiles.RequireFile(f.FullName, "a UTF-8 training text file");
                if (f.Length == 0) throw new InvalidDataException($"{f.FullName}: the file is empty; expected training text.");
            }
            CliFiles.RequireWritableFolder(output.FullName);
        }
        catch (Exception e) when (e is IOException or InvalidDataException) { return CliError.Print(Verb, e); }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var sw = Stopwatch.StartNew();
            var texts = inputs.Select(f => File.ReadAllText(f.FullName));
            Directory.CreateDirectory(output.FullName);
            switch (kind)
            {
                case TokenizerKind.Bpe:
                    var options = new BpeTrainerOptions { VocabSize = vocabSize, MinFrequency = minFrequency, Threads = threads };
                    if (specials is { Length: > 0 }) options = options with { SpecialTokens = specials };
                    var bpe = BpeTrainer.Train(texts, options, new Progress<string>(Console.WriteLine), cts.Token);
                    BpeFiles.Save(bpe, output.FullName);
                    Console.WriteLine($"Wrote vocab.json, merges.txt, tokenizer.json ({bpe.Tokens.Count} tokens, {bpe.Merges.Count} merges) to {output.FullName} in {sw.Elapsed.TotalSeconds:F1}s.");
                    break;
                case TokenizerKind.WordPiece:
                    var wpOptions = new WordPieceTrainerOptions { VocabSize = vocabSize, MinFrequency = minFrequency, Threads = threads };
                    if (specials is { Length: > 0 }) wpOptions = wpOptions with { SpecialTokens = specials };
                    var wp = WordPieceTrainer.Train(texts, wpOptions, cts.Token);
                    BpeFiles.WriteAtomically(Path.Combine(output.FullName, "vocab.txt"), WordPieceTrainer.VocabTxt(wp));
                    Console.WriteLine($"Wrote vocab.txt ({wp.Count} tokens) to {output.FullName} in {sw.Elapsed.TotalSeconds:F1}s.");
                    break;
                default:
                    var spOptions = new SentencePieceBpeTrainerOptions { VocabSize = vocabSize, MinFrequency = minFrequency, CharacterCoverage = coverage, Threads = threads };
                    if (specials is { Length: > 0 }) spOptions = spOptions with { ControlTokens = specials };
                    var sp = SentencePieceBpeTrainer.Train(texts, spOptions, cts.Token);
                    BpeFiles.WriteAtomically(Path.Combine(output.FullName, "tokenizer.vocab"), sp.VocabTsv());
                    Console.WriteLine($"Wrote tokenizer.vocab ({sp.Pieces.Count} pieces, {sp.Merges.Count} merges) to {output.FullName} in {sw.Elapsed.TotalSeconds:F1}s.");
                    break;
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return CliError.Print(Verb, e);
        }
        catch (OperationCanceledException)
        {
            return CliError.Print(Verb, "cancelled; nothing written.", CliExit.Cancelled);
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
