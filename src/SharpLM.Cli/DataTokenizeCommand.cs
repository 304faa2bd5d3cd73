// `sharplm data tokenize --tokenizer PATH --input FILE… --out DIR [--shard-tokens N]`: tokenizes documents
// (txt/jsonl(.gz)/parquet) into uint16/uint32 token shards with JSON headers; rerunning the same command
// after an interruption resumes after the last complete shard.
using System.CommandLine;
using SharpLM.Data.IO;
using SharpLM.Data.Shards;
using SharpLM.Text.Formats;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class DataTokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer file or folder (tokenizer.json, GGUF, vocab.json+merges.txt, …).", Required = true };
        var input = new Option<FileInfo[]>("--input", "-i") { Description = "Input files.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o", "--out") { Description = "Output folder for shard_NNNNN.bin/.json.", Required = true };
        var perShard = CliOptions.AtLeast(new Option<long>("--shard-tokens") { DefaultValueFactory = _ => 10_000_000, Description = "Tokens per shard file." }, 1);
        var eosOpt = new Option<string>("--eos") { Description = "Separator token appended after each document.", DefaultValueFactory = _ => "<|endoftext|>" };
        var txt = new Option<TxtMode>("--txt-mode") { DefaultValueFactory = _ => TxtMode.Paragraph, Description = "How .txt files split into documents." };
        var cmd = new Command("tokenize", "Tokenize documents into binary token shards for training.") { tokenizer, input, output, perShard, eosOpt, txt };
        cmd.SetAction((r, cancel) =>
        {
            try
            {
                var tok = TokenizerLoader.Load(r.GetValue(tokenizer)!);
                string eosText = r.GetValue(eosOpt)!;
                // A separator the user named must exist; the default falls back to the tokenizer's own EOS.
                bool named = r.GetResult(eosOpt) is { Implicit: false };
                int eos = tok.TokenToId(eosText) ?? (named ? null : tok.Specials.Eos)
                    ?? throw new ArgumentException(named ? $"--eos '{eosText}' is not a token of {r.GetValue(tokenizer)}; expected one of its special tokens (e.g. {tok.IdToToken(tok.Specials.Eos ?? 0)})."
                                                         : $"the tokenizer has no '{eosText}' token and no EOS; pass --eos.");
                CliFiles.RequireWritableFolder(r.GetValue(output)!);
                var report = new ReadReport();
                var docs = r.GetValue(input)!.SelectMany(f => CorpusReader.Read(f.FullName, report, r.GetValue(txt)));
                var o = new ShardOptions(r.GetValue(output)!, Path.GetFileName(Path.GetFullPath(r.GetValue(tokenizer)!)), tok.VocabSize, eos, r.GetValue(perShard));
                var res = TokenShardWriter.Write(docs, s => tok.Encode(s), o, new Progress<long>(n => Console.Error.WriteLine($"  {n:N0} tokens")), cancel);
                foreach (var s in report.Skipped.Take(20)) Console.Error.WriteLine($"skipped {s}");
                Console.WriteLine($"{res.Documents:N0} documents → {res.Tokens:N0} tokens in {res.Shards} shards ({res.ResumedShards} kept from an earlier run) in {o.OutputDir}");
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidOperationException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
            {
                return Task.FromResult(CliError.Print("data tokenize", e));
            }
        });
        return cmd;
    }
}
