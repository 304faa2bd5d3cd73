// `sharplm tokenizer encode|decode|inspect --tokenizer PATH`: load any supported tokenizer file (.gguf,
// tokenizer.json or its folder, vocab.json folder, SentencePiece .model, llama2.c tokenizer.bin, .tiktoken)
// and print ids for text, text for ids, or a summary of the vocabulary.
using System.CommandLine;
using SharpLM.Text;
using SharpLM.Text.Formats;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class TokenizerCommand
{
    public static Command Create()
    {
        var cmd = new Command("tokenizer", "Encode, decode, inspect or train tokenizers.");
        var path = new Option<string>("--tokenizer") { Description = "Tokenizer file or folder.", Required = true };

        var text = new Argument<string?>("text") { Description = "Text to encode (read from stdin when absent).", Arity = ArgumentArity.ZeroOrOne };
        var addSpecial = new Option<bool>("--add-special") { Description = "Add BOS/EOS as the vocabulary asks." };
        var parseSpecial = new Option<bool>("--parse-special") { Description = "Turn special tokens written in the text into their ids." };
        var showTokens = new Option<bool>("--tokens") { Description = "Print id<TAB>token lines instead of one line of ids." };
        var encode = new Command("encode", "Print the token ids of the text.") { path, text, addSpecial, parseSpecial, showTokens };
        encode.SetAction(r => Run("tokenizer encode", () =>
        {
            var tok = TokenizerLoader.Load(r.GetValue(path)!);
            string input = r.GetValue(text) ?? StandardInput.ReadAll("the text to encode");
            var ids = tok.Encode(input, r.GetValue(addSpecial), r.GetValue(parseSpecial));
            if (r.GetValue(showTokens)) foreach (int id in ids) Console.WriteLine($"{id}\t{tok.IdToToken(id)}");
            else Console.WriteLine(string.Join(' ', ids));
        }));

        var ids = new Argument<string[]>("ids") { Description = "Token ids (space or comma separated; stdin when absent).", Arity = ArgumentArity.ZeroOrMore };
        var skipSpecial = new Option<bool>("--skip-special") { Description = "Drop special tokens from the text." };
        var decode = new Command("decode", "Print the text of token ids.") { path, ids, skipSpecial };
        decode.SetAction(r => Run("tokenizer decode", () =>
        {
            var tok = TokenizerLoader.Load(r.GetValue(path)!);
            var raw = r.GetValue(ids) is { Length: > 0 } a ? string.Join(' ', a) : StandardInput.ReadAll("the token ids to decode");
            var parsed = raw.Split([' ', ',', '\n', '\r', '\t', '[', ']'], StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, out int v) ? v : throw new FormatException($"\"{s}\" is not a token id.")).ToArray();
            Console.WriteLine(tok.Decode(parsed, r.GetValue(skipSpecial)));
        }));

        var inspect = new Command("inspect", "Print the tokenizer type, vocabulary size and special tokens.") { path };
        inspect.SetAction(r => Run("tokenizer inspect", () => Inspect(TokenizerLoader.Load(r.GetValue(path)!), r.GetValue(path)!)));

        cmd.Subcommands.Add(encode);
        cmd.Subcommands.Add(decode);
        cmd.Subcommands.Add(inspect);
        cmd.Subcommands.Add(TokenizerTrainCommand.Create("train"));
        return cmd;
    }

    private static int Run(string verb, Action a)
    {
        try { a(); return 0; }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or FormatException or ArgumentException or UnauthorizedAccessException)
        {
            return CliError.Print(verb, e);
        }
    }

    private static void Inspect(Tokenizer tok, string path)
    {
        Console.WriteLine($"file        {path}");
        Console.WriteLine($"type        {tok.Kind}");
        Console.WriteLine($"vocab size  {tok.VocabSize}");
        var sp = tok.Specials;
        string Show(int? id) => id is int i ? $"{i} {tok.IdToToken(i)}" : "-";
        Console.WriteLine($"bos         {Show(sp.Bos)}{(sp.AddBos ? "  (added)" : "")}");
        Console.WriteLine($"eos         {Show(sp.Eos)}{(sp.AddEos ? "  (added)" : "")}");
        Console.WriteLine($"unk         {Show(sp.Unk)}");
        Console.WriteLine($"pad         {Show(sp.Pad)}");
        if (sp.Cls is not null || sp.Sep is not null || sp.Mask is not null)
            Console.WriteLine($"cls/sep/mask {Show(sp.Cls)} / {Show(sp.Sep)} / {Show(sp.Mask)}");
        Console.WriteLine($"added       {tok.AddedTokens.Count} ({tok.AddedTokens.Count(a => a.Special)} special)");
        foreach (var a in tok.AddedTokens.Take(10)) Console.WriteLine($"  {a.Id,7} {a.Content}{(a.Special ? "  [special]" : "")}");
        if (tok.AddedTokens.Count > 10) Console.WriteLine($"  … {tok.AddedTokens.Count - 10} more");
        if (tok is SharpLM.Text.Bpe.ByteLevelBpeTokenizer b)
        {
            Console.WriteLine($"merges      {b.Merges.Count}");
            Console.WriteLine($"pre-token   {string.Join("  then  ", b.PreTokenizer.Patterns)}");
        }
    }
}
