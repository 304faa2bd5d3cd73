// ValidationTests: issue 15 items 2, 4, 5 and 7 — numeric options checked at parse time (exit 1, one line naming the
// option), data commands refusing missing/folder/cut-short inputs, pretrain's overwrite/resume/lock rules and the
// divergence abort.
using Xunit;

namespace SharpLM.Cli.Tests;

public sealed class ValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void NumericOptionsAreCheckedAtParseTime()
    {
        string task = Path.Combine(SharpLM.TestSupport.RepoPaths.Root, "tasks", "arithmetic-2digit.json");
        string corpus = Fixtures.Corpus(_dir);
        Cli.Run("eval", "-m", "x.gguf", "--tasks", task, "--limit", "-1").Fails(1, "--limit must be at least 1, got -1");
        Cli.Run("eval", "-m", "x.gguf", "--tasks", task, "--limit", "0").Fails(1, "--limit must be at least 1, got 0");
        Cli.Run("eval", "-m", "x.gguf", "--tasks", "").Fails(1, "--tasks must not be empty");
        Cli.Run("model", "info", "--preset", "llama-7b", "--lora-rank", "-1").Fails(1, "--lora-rank must be at least 1");
        Cli.Run("generate", "-m", "x.gguf", "--prompt", "a", "-t", "1000").Fails(1, "--threads must be in [1,");
        Cli.Run("generate", "-m", "x.gguf", "--prompt", "a", "--threads", "0").Fails(1, "--threads must be in [1,");
        Cli.Run("tokenizer", "train", "-i", corpus, "-o", _dir["tok"], "--min-frequency", "0").Fails(1, "--min-frequency must be at least 1");
        Cli.Run("tokenizer", "train", "-i", corpus, "-o", _dir["tok"], "--character-coverage", "2").Fails(1, "--character-coverage must be in (0, 1]");
        Cli.Run("convert", Fixtures.LlamaHf, _dir["hf"], "--type", "q4_0").Fails(1, "--type applies to GGUF targets only");
        Cli.Run("convert", Fixtures.LlamaHf, _dir["m.bin"], "--type", "q4_0").Fails(1, "--type applies to GGUF targets only");
        Cli.Run("convert", Fixtures.LlamaHf, _dir["out.safetensors"]).Fails(1, "out.safetensors", "not a target");
        Assert.False(Directory.Exists(_dir["out.safetensors"]));
        foreach (var (kv, what) in new[] { ("warmup_steps=-1", "warmup_steps"), ("weight_decay=-1", "weight_decay"), ("clip=0", "clip"),
                                            ("threads=-1", "threads"), ("max_minutes=-1", "max_minutes"), ("spike_factor=0", "spike_factor") })
            Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, _dir["run"]), kv]).Fails(2, "sharplm pretrain: ", what);
        Cli.Run("ngram", "ppl", "--arpa", corpus, "--text", _dir.Write("empty.txt", "")).Fails(2, "empty.txt", "no sentences");
        Cli.Run("tokenizer", "train", "-i", _dir["empty.txt"], "-o", _dir["tok"]).Fails(2, "empty.txt", "empty");
        Cli.Run("data", "tokenize", "--tokenizer", Fixtures.Gpt2Tokenizer, "-i", corpus, "-o", _dir["shards"], "--eos", "NOPE").Fails(2, "--eos 'NOPE' is not a token");
    }

    [Fact]
    public void DataCommandsRefuseMissingFolderAndCutShortInputs()
    {
        Cli.Run("data", "stats", "-i", _dir["missing.jsonl"], "-o", _dir["o.jsonl"]).Fails(2, "missing.jsonl", "no such file");
        Directory.CreateDirectory(_dir["adir"]);
        Cli.Run("data", "stats", "-i", _dir["adir"], "-o", _dir["o.jsonl"]).Fails(2, "adir", "is a folder");
        var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        using (var w = new StreamWriter(gz))
            for (int i = 0; i < 3000; i++) w.WriteLine($"{{\"text\": \"document {i} with a few words in it\"}}");
        var bytes = ms.ToArray();
        string cut = _dir.Write("cut.jsonl.gz", bytes[..(bytes.Length / 2)]);
        Cli.Run("data", "stats", "-i", cut, "-o", _dir["o.jsonl"]).Fails(2, "cut.jsonl.gz", "truncated or corrupt gzip");
        Assert.False(File.Exists(_dir["o.jsonl"]));
        string whole = _dir.Write("whole.jsonl.gz", bytes);
        Assert.Contains("kept 3000 of 3000", Cli.Run("data", "stats", "-i", whole).Succeeds().Out);
    }

    [Fact]
    public void PretrainRefusesToOverwriteOrResumeNothingAndMarksKilledRunsDied()
    {
        string corpus = Fixtures.Corpus(_dir), run = _dir["run"];
        Cli.Run(["pretrain", "--resume", .. Fixtures.TinyRun(corpus, run)]).Fails(2, "no checkpoint to resume from");
        Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, run)]).Succeeds();
        Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, run)]).Fails(2, "checkpoint of an earlier run", "--resume");
        Cli.Run(["pretrain", "--resume", .. Fixtures.TinyRun(corpus, run, steps: 3)]).Succeeds();
        Cli.Run(["pretrain", "--overwrite", .. Fixtures.TinyRun(corpus, run)]).Succeeds();
        Assert.False(File.Exists(Path.Combine(run, "run.lock")));
        // A lock held by another open handle (a run in progress) stops a second run.
        using (new FileStream(Path.Combine(run, "run.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            Cli.Run(["pretrain", "--resume", .. Fixtures.TinyRun(corpus, run, steps: 4)]).Fails(2, "is training into this folder");
        // A run recorded as running by a process that no longer exists lists as died.
        using (var store = new SharpLM.Training.Runs.RunStore(Path.Combine(run, "runs.sqlite")))
        {
            long id = store.StartRun("ghost", "{}");
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}");
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"UPDATE runs SET pid = 2147483600 WHERE id = {id}";
            cmd.ExecuteNonQuery();
        }
        var list = Cli.Run("runs", "list", "--store", Path.Combine(run, "runs.sqlite")).Succeeds().Out;
        Assert.Contains("ghost", list);
        Assert.Matches(@"ghost\s+died", list);
    }

    [Fact]
    public void ADivergingRunStopsAfterMaxSkips()
    {
        string corpus = Fixtures.Corpus(_dir);
        var r = Cli.Run(["pretrain", .. Fixtures.TinyRun(corpus, _dir["div"], steps: 200), "lr=1000", "max_skips=3"]);
        r.Fails(2, "sharplm pretrain: ", "diverged", "3 batches in a row");
        Assert.DoesNotContain("Finished", r.Out);
    }
}
