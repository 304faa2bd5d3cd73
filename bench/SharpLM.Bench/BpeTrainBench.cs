// BpeTrainBench: training time of the byte-level BPE trainer (and the SentencePiece-style and WordPiece
// trainers for reference), against the Hugging Face trainer timed by bench/peers/bpe_train_peer.mjs in the
// same run (bench/run-bpe-train.sh). The npm tokenizers package only trains with its default BpeTrainer
// (vocab_size 30000, min_frequency 0), so the peer comparison runs at those settings; the settings
// (vocab 500 on corpus.en, 8000 on tinyshakespeare + tang-poems) are timed for us alone.
// Usage: bpe-train [--data DIR] [--repeats N] [--peer results.json]
using System.Diagnostics;
using System.Text.Json;
using SharpLM.Text.ByteLevel;
using SharpLM.Text.Training;

namespace SharpLM.Bench;

internal static class BpeTrainBench
{
    public static int Run(string[] args)
    {
        string? data = null, peerPath = null;
        int repeats = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data": data = args[++i]; break;
                case "--repeats": repeats = int.Parse(args[++i]); break;
                case "--peer": peerPath = args[++i]; break;
                default: Console.Error.WriteLine($"bpe-train: unknown option {args[i]}"); return 2;
            }
        }
        data ??= FindData();
        string en = Path.Combine(data, "bpe-reference", "corpus.en");
        string shakespeare = Path.Combine(data, "corpora", "tinyshakespeare.txt");
        string tang = Path.Combine(data, "corpora", "tang-poems.txt");
        foreach (var f in new[] { en, shakespeare, tang })
            if (!File.Exists(f)) { Console.Error.WriteLine($"bpe-train: missing {f}"); return 1; }
        var peer = peerPath != null ? JsonDocument.Parse(File.ReadAllText(peerPath)).RootElement : (JsonElement?)null;

        Console.WriteLine($"threads: 2 (pre-token counting); repeats: {repeats} (median); cores: {Environment.ProcessorCount}");
        Console.WriteLine("| case | settings | ours (s) | HF tokenizers (s) | HF / ours |");
        Console.WriteLine("|---|---|---|---|---|");
        string[] enOnly = [en], mixed = [shakespeare, tang];

        Row("corpus.en", "byte-level BPE, vocab 500, <|endoftext|>", Time(repeats, () => Bpe(enOnly, 500, ["<|endoftext|>"])), null);
        Row("tinyshakespeare + tang-poems", "byte-level BPE, vocab 8000", Time(repeats, () => Bpe(mixed, 8000, ["<|endoftext|>"])), null);
        // HF's default trainer: vocab 30000 including the alphabet of seen characters, no specials; ours adds the
        // unseen bytes to its alphabet, so it is given those extra ids to learn the same number of merges.
        foreach (var (name, key, files) in new[] { ("corpus.en", "en", enOnly), ("tinyshakespeare + tang-poems", "mixed", mixed) })
        {
            var result = (BpeTrainingResult)Bpe(files, 30000 + Unseen(files), []);
            int ourVocab = result.Tokens.Count - Unseen(files);
            string peerVocab = peer is { } p && p.TryGetProperty(key, out var c) ? c.GetProperty("vocab").GetInt32().ToString() : "?";
            Row(name, $"HF default BpeTrainer (vocab cap 30000; final vocab ours {ourVocab}, HF {peerVocab})", Time(repeats, () => Bpe(files, 30000 + Unseen(files), [])), PeerSeconds(peer, key));
        }
        Row("tang-poems", "SentencePiece-style BPE, vocab 8000", Time(repeats, () => SentencePieceBpeTrainer.Train([File.ReadAllText(tang)], new SentencePieceBpeTrainerOptions { VocabSize = 8000 })), null);
        Row("tinyshakespeare", "WordPiece, vocab 8000", Time(repeats, () => WordPieceTrainer.Train([File.ReadAllText(shakespeare)], new WordPieceTrainerOptions { VocabSize = 8000 })), null);
        return 0;
    }

    private static object Bpe(string[] files, int vocab, string[] specials) =>
        BpeTrainer.Train(files.Select(File.ReadAllText), new BpeTrainerOptions { VocabSize = vocab, SpecialTokens = specials, Threads = 2 });

    /// <summary>Number of byte values that never occur in the files (HF's alphabet leaves them out).</summary>
    private static int Unseen(string[] files)
    {
        var seen = new bool[256];
        foreach (var f in files) foreach (var b in File.ReadAllBytes(f)) seen[b] = true;
        return seen.Count(s => !s);
    }

    private static double Time(int repeats, Func<object> run)
    {
        run();   // warm-up (JIT, regex compilation)
        var times = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static double? PeerSeconds(JsonElement? peer, string name) =>
        peer is { } p && p.TryGetProperty(name, out var c) ? c.GetProperty("seconds").GetDouble() : null;

    private static void Row(string corpus, string settings, double ours, double? hf) =>
        Console.WriteLine($"| {corpus} | {settings} | {ours:F3} | {(hf is { } h ? h.ToString("F3") : "n/a (npm trainer not configurable)")} | {(hf is { } h2 ? (h2 / ours).ToString("F2") + "×" : "—")} |");

    private static string FindData()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "SharpLM.slnx"))) dir = dir.Parent;
        return dir == null ? throw new DirectoryNotFoundException("bpe-train: no SharpLM.slnx above the bench; pass --data") : Path.Combine(dir.FullName, "..", "shared", "data");
    }
}
