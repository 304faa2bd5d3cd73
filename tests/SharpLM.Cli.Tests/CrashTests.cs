// CrashTests: the inputs of issue 15 that ended in a .NET stack trace — each must now be one line
// `sharplm <verb>: <file>: <what was expected>` with exit 2, and leave nothing half-written behind.
using System.IO.Compression;
using Xunit;

namespace SharpLM.Cli.Tests;

public sealed class CrashTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name, params (string File, string Text)[] files)
    {
        string d = _dir[name];
        Directory.CreateDirectory(d);
        foreach (var (f, t) in files) File.WriteAllText(Path.Combine(d, f), t);
        return d;
    }

    [Theory]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\":", "truncated JSON")]
    [InlineData("", "the file is empty")]
    [InlineData("hello, not json", "not valid JSON")]
    public void ABrokenTokenizerJsonIsOneLine(string text, string what)
    {
        string path = Path.Combine(Folder("tj", ("tokenizer.json", text)), "tokenizer.json");
        Cli.Run("tokenizer", "encode", "--tokenizer", path, "hi").Fails(2, "sharplm tokenizer encode: ", path, what, "expected a Hugging Face tokenizer.json");
        Cli.Run("tokenizer", "inspect", "--tokenizer", Path.GetDirectoryName(path)!).Fails(2, path, what);
    }

    [Fact]
    public void ATruncatedVocabJsonIsOneLine()
    {
        string d = Folder("vj", ("vocab.json", "{\"a\": 0,"), ("merges.txt", "#version: 0.2\n"));
        Cli.Run("tokenizer", "encode", "--tokenizer", d, "hi").Fails(2, Path.Combine(d, "vocab.json"), "truncated JSON", "vocab.json");
    }

    [Fact]
    public void AnEmptyMergesTxtIsOneLine()
    {
        string d = Folder("em");
        File.Copy(Path.Combine(Fixtures.Gpt2Tokenizer, "vocab.json"), Path.Combine(d, "vocab.json"));
        File.WriteAllText(Path.Combine(d, "merges.txt"), "");
        Cli.Run("tokenizer", "encode", "--tokenizer", d, "hi").Fails(2, Path.Combine(d, "merges.txt"), "empty", "merge per line");
    }

    [Fact]
    public void ACutShortOrWrongVersionGgufIsOneLineInGenerateAndEval()
    {
        string good = Fixtures.Gguf(_dir);
        var bytes = File.ReadAllBytes(good);
        string cut = _dir.Write("cut.gguf", bytes[..5000]);
        var badVersion = (byte[])bytes.Clone();
        badVersion[4] = 9;
        string bad = _dir.Write("badver.gguf", badVersion);
        string task = Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "tasks", "arithmetic-2digit.json");
        foreach (var (path, what) in new[] { (cut, "runs past the end of the file"), (bad, "version") })
        {
            Cli.Run("generate", "-m", path, "--prompt-ids", "1,2").Fails(2, "sharplm generate: ", path, what);
            Cli.Run("eval", "-m", path, "--tasks", task, "--limit", "1", "-o", _dir["eval"]).Fails(2, "sharplm eval: ", path, what);
        }
    }

    [Fact]
    public void AnUnwritableOutputFailsBeforeTheWork()
    {
        string corpus = Fixtures.Corpus(_dir);
        string gguf = Fixtures.Gguf(_dir);
        string o = Fixtures.Unwritable;
        Cli.Run("convert", Fixtures.LlamaHf, o + "/m.gguf").Fails(2, "sharplm convert: ", o, "cannot write");
        Cli.Run("convert", gguf, o + "/hf").Fails(2, o, "cannot write");
        Cli.Run("quantize", Fixtures.LlamaHf, o + "/m.gguf").Fails(2, "sharplm quantize: ", o, "cannot write");
        Cli.Run("tokenizer", "train", "-i", corpus, "-o", o, "--vocab-size", "300").Fails(2, "sharplm tokenizer train: ", o, "cannot write");
        Cli.Run("data", "stats", "-i", corpus, "-o", o + "/out.jsonl").Fails(2, "sharplm data stats: ", o, "cannot write");
        Cli.Run("data", "stats", "-i", corpus, "--report", o + "/report").Fails(2, o, "cannot write");
        Cli.Run("data", "tokenize", "--tokenizer", Fixtures.Gpt2Tokenizer, "-i", corpus, "-o", o).Fails(2, "sharplm data tokenize: ", o, "cannot write");
        Cli.Run("ngram", "train", "--text", corpus, "-o", o + "/m.arpa").Fails(2, "sharplm ngram train: ", o, "cannot write");
        string task = Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "tasks", "arithmetic-2digit.json");
        Cli.Run("eval", "-m", gguf, "--tasks", task, "-o", o).Fails(2, "sharplm eval: ", o, "cannot write");
        Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, o)]).Fails(2, "sharplm pretrain: ", o, "cannot write");
        Cli.Run("quickstart", "--data", corpus, "-o", o).Fails(2, "sharplm quickstart: ", o, "cannot write");
        // runs plot: a real store, an unwritable PNG path.
        string run = _dir["run"];
        Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, run, steps: 1)]).Succeeds();
        Cli.Run("runs", "plot", "--store", Path.Combine(run, "runs.sqlite"), "-o", o + "/p.png").Fails(2, "sharplm runs plot: ", o, "cannot write");
        Assert.Empty(Directory.GetFileSystemEntries(run, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void RunsListOnANonSqliteFileIsOneLine()
    {
        string path = _dir.Write("x.sqlite", "not sqlite at all, just text");
        Cli.Run("runs", "list", "--store", path).Fails(2, "sharplm runs list: ", path, "not a SQLite file");
        Cli.Run("runs", "list", "--store", _dir["missing.sqlite"]).Fails(2, "missing.sqlite", "no such file");
    }

    [Fact]
    public void ANonGzipJsonlGzIsOneLine()
    {
        string path = _dir.Write("a.jsonl.gz", "{\"text\": \"plain text, not gzip\"}\n");
        Cli.Run("data", "stats", "-i", path).Fails(2, "sharplm data stats: ", path, "not a gzip file");
        Cli.Run("data", "tokenize", "--tokenizer", Fixtures.Gpt2Tokenizer, "-i", path, "-o", _dir["shards"]).Fails(2, path, "not a gzip file");
    }

    [Fact]
    public void ACorruptParquetIsOneLine()
    {
        string path = _dir.Write("bad.parquet", "PAR1 this is not parquet PAR1");
        Cli.Run("data", "stats", "-i", path, "-o", _dir["out.jsonl"]).Fails(2, "sharplm data stats: ", path, "parquet");
        Assert.False(File.Exists(_dir["out.jsonl"]));
    }

    [Fact]
    public void MissingRecipeArpaAndKeywordsFilesAreOneLine()
    {
        string corpus = Fixtures.Corpus(_dir);
        Cli.Run("data", "prepare", _dir["nosuch.json"]).Fails(2, "sharplm data prepare: ", "nosuch.json", "no such file", "recipe");
        Cli.Run("ngram", "ppl", "--arpa", _dir["nosuch.arpa"], "--text", corpus).Fails(2, "sharplm ngram ppl: ", "nosuch.arpa", "no such file", "ARPA");
        Cli.Run("data", "filter", "-i", corpus, "--keywords", _dir["nosuch.txt"]).Fails(2, "sharplm data filter: ", "nosuch.txt", "no such file", "keyword");
        Cli.Run("data", "filter", "-i", corpus, "--arpa", _dir["nosuch.arpa"]).Fails(2, "nosuch.arpa", "no such file");
    }

    [Fact]
    public void ZeroBandsInAMinhashStageIsOneLine()
    {
        string corpus = Fixtures.Corpus(_dir);
        string recipe = _dir.Write("r.json", $$"""{"inputs": ["{{corpus}}"], "output": "o.jsonl", "stages": [{"type": "minhash", "bands": 0}]}""");
        Cli.Run("data", "prepare", recipe).Fails(2, "sharplm data prepare: ", recipe, "stages[0]", "'bands' must be at least 1, got 0");
        Assert.False(File.Exists(_dir["o.jsonl"]));
    }

    [Fact]
    public void TokenizerEncodeAndChatWithStdinClosedDoNotHang()
    {
        string gguf = Fixtures.Gguf(_dir);
        var encode = Cli.Process("<&-", TimeSpan.FromSeconds(60), "tokenizer", "encode", "--tokenizer", Fixtures.Gpt2Tokenizer);
        Assert.True(encode.Code == 0, encode.ToString());
        var chat = Cli.Process("<&-", TimeSpan.FromSeconds(60), "chat", "-m", gguf, "--max-tokens", "2");
        Assert.True(chat.Code == 0, chat.ToString());
        // Piped input still works.
        var piped = Cli.Process("< /dev/null", TimeSpan.FromSeconds(60), "tokenizer", "encode", "--tokenizer", Fixtures.Gpt2Tokenizer);
        Assert.True(piped.Code == 0, piped.ToString());
    }

    [Fact]
    public void TheLastLineOfDefenceSaysOneLineWithoutTypeNames()
    {
        Assert.Equal("sharplm pretrain: lr must be > 0.", Common.CliError.Line("pretrain", "pretrain: PretrainConfig: lr must be > 0."));
        Assert.Equal("sharplm data tokenize: x", Common.CliError.Line("data tokenize", "data tokenize: x"));
        Assert.Equal("sharplm eval: could not convert to the expected value at /tmp/SharpLM.Cli.Tests/a", Common.CliError.Line("eval", "could not convert to SharpLM.Training.Pretraining.PretrainConfig at /tmp/SharpLM.Cli.Tests/a"));
    }
}
