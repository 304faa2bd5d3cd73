// TokenizeBench: encode throughput (MB/s of UTF-8 input) of SharpLM's byte-level BPE against Microsoft.ML.Tokenizers
// (in-process), HF tokenizers and tiktoken (npm, through bench/peers/tokenize_peers.mjs), on tinyshakespeare and
// tang-poems, GPT-2 vocabulary (and cl100k_base), 1 and 2 threads. Every peer encodes the same ~64 KB
// line-aligned chunks; 2 threads = chunks encoded in parallel. Ids are compared by count and FNV hash.
// Usage: sharplm-bench tokenize [--runs N] [--data DIR] [--peers node|python|none]
//   node (default): bench/peers/tokenize_peers.mjs (bench/run-tokenize.sh installs the npm peers first);
//   python: bench/peers/tokenize_peers.py, HF tokenizers' Python binding (for the GPU machine, which has no Node).
using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using SharpLM.Text.Formats;

namespace SharpLM.Bench;

internal static class TokenizeBench
{
    private const int Chunk = 64 * 1024;

    private sealed record Row(string Peer, string Encoding, string Corpus, int Threads, double Mbps, long Tokens, uint Hash);

    public static int Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int runs = int.Parse(Arg("--runs") ?? "3");
        string peers = Arg("--peers") ?? "node";
        string root = RepoRoot();
        string data = Path.GetFullPath(Arg("--data") ?? Path.Combine(root, "..", "shared", "data"));
        string gpt2Dir = Path.Combine(data, "tokenizers", "gpt2");
        string[] corpora = [Path.Combine(data, "corpora", "tinyshakespeare.txt"), Path.Combine(data, "corpora", "tang-poems.txt")];
        foreach (var f in corpora.Append(Path.Combine(gpt2Dir, "vocab.json")))
            if (!File.Exists(f)) { Console.Error.WriteLine($"missing shared data: {f}"); return 1; }

        var ours = Gpt2VocabLoader.Load(Path.Combine(gpt2Dir, "vocab.json"), Path.Combine(gpt2Dir, "merges.txt"));
        var oursCl = LoadCl100k();
        using var vs = File.OpenRead(Path.Combine(gpt2Dir, "vocab.json"));
        using var ms = File.OpenRead(Path.Combine(gpt2Dir, "merges.txt"));
        var ml = CodeGenTokenizer.Create(vs, ms, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false);
        var mlCl = TiktokenTokenizer.CreateForEncoding("cl100k_base");

        string outDir = Path.Combine(root, "bench", "out");
        Directory.CreateDirectory(outDir);
        string tokJson = Path.Combine(outDir, "gpt2-tokenizer.json");
        HfTokenizerJsonWriter.Write(ours, tokJson);

        var rows = new List<Row>();
        foreach (var file in corpora)
        {
            string text = File.ReadAllText(file);
            long bytes = Encoding.UTF8.GetByteCount(text);
            var parts = Chunks(text);
            string name = Path.GetFileName(file);
            foreach (int threads in new[] { 1, 2 })
            {
                rows.Add(Measure("sharplm", "gpt2", name, threads, bytes, parts, runs, s => ours.Encode(s)));
                rows.Add(Measure("ml-tokenizers", "gpt2", name, threads, bytes, parts, runs, s => ml.EncodeToIds(s)));
                rows.Add(Measure("sharplm", "cl100k_base", name, threads, bytes, parts, runs, s => oursCl.Encode(s)));
                rows.Add(Measure("ml-tokenizers", "cl100k_base", name, threads, bytes, parts, runs, s => mlCl.EncodeToIds(s)));
            }
        }
        if (peers != "none") rows.AddRange(RunPeers(peers, root, tokJson, runs, corpora));
        Print(rows);
        return 0;
    }

    private static SharpLM.Text.Bpe.ByteLevelBpeTokenizer LoadCl100k()
    {
        var asm = Assembly.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase");
        string res = asm.GetManifestResourceNames().Single(n => n.EndsWith(".tiktoken.deflate", StringComparison.Ordinal));
        using var s = new DeflateStream(asm.GetManifestResourceStream(res)!, CompressionMode.Decompress);
        return TiktokenLoader.Load(s, res, "cl100k_base");
    }

    private static List<string> Chunks(string text)
    {
        var parts = new List<string>();
        for (int start = 0; start < text.Length;)
        {
            int end = Math.Min(text.Length, start + Chunk);
            if (end < text.Length) { int nl = text.IndexOf('\n', end); end = nl < 0 ? text.Length : nl + 1; }
            parts.Add(text[start..end]);
            start = end;
        }
        return parts;
    }

    private static Row Measure(string peer, string enc, string corpus, int threads, long bytes, List<string> parts, int runs, Func<string, IReadOnlyList<int>> encode)
    {
        var results = new IReadOnlyList<int>[parts.Count];
        void Once()
        {
            if (threads == 1) for (int i = 0; i < parts.Count; i++) results[i] = encode(parts[i]);
            else Parallel.For(0, parts.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => results[i] = encode(parts[i]));
        }
        Once(); // warm-up: JIT, caches
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            Once();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        long tokens = 0; uint hash = 2166136261;
        foreach (var ids in results) { tokens += ids.Count; foreach (int id in ids) hash = (hash ^ (uint)id) * 16777619; }
        return new Row(peer, enc, corpus, threads, bytes / 1e6 / best, tokens, hash);
    }

    private static IEnumerable<Row> RunPeers(string kind, string root, string tokJson, int runs, string[] corpora)
    {
        bool node = kind == "node";
        string script = Path.Combine(root, "bench", "peers", node ? "tokenize_peers.mjs" : "tokenize_peers.py");
        if (node && !Directory.Exists(Path.Combine(root, "bench", ".npm", "node_modules", "tokenizers")))
        {
            Console.Error.WriteLine("npm peers not installed (run bench/run-tokenize.sh); HF tokenizers and tiktoken rows skipped.");
            yield break;
        }
        var psi = new ProcessStartInfo(node ? "node" : "python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script); psi.ArgumentList.Add(tokJson); psi.ArgumentList.Add(runs.ToString());
        foreach (var c in corpora) psi.ArgumentList.Add(c);
        psi.Environment["RAYON_NUM_THREADS"] = "2";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        for (string? l; (l = p.StandardOutput.ReadLine()) != null;) lines.Add(l);
        p.WaitForExit();
        if (p.ExitCode != 0) Console.Error.WriteLine($"{Path.GetFileName(script)} exited {p.ExitCode}: {stderr.Result}");
        foreach (var l in lines)
        {
            var e = JsonDocument.Parse(l).RootElement;
            yield return new Row(e.GetProperty("peer").GetString()!, e.GetProperty("encoding").GetString()!, e.GetProperty("corpus").GetString()!,
                e.GetProperty("threads").GetInt32(), e.GetProperty("mbps").GetDouble(), e.GetProperty("tokens").GetInt64(), e.GetProperty("hash").GetUInt32());
        }
    }

    private static void Print(List<Row> rows)
    {
        Console.WriteLine($"tokenize: encode MB/s (UTF-8 input), best of runs, {Environment.ProcessorCount} cores, load {LoadAverage()}; ratio = sharplm / peer (>1 = sharplm faster)");
        Console.WriteLine($"{"encoding",-12} {"corpus",-20} {"thr",3} {"sharplm",9} | {"peer",-14} {"MB/s",8} {"ratio",6}  same ids");
        foreach (var g in rows.Where(r => r.Peer == "sharplm"))
        {
            var peers = rows.Where(r => r.Peer != "sharplm" && r.Encoding == g.Encoding && r.Corpus == g.Corpus && r.Threads == g.Threads).ToList();
            if (peers.Count == 0) Console.WriteLine($"{g.Encoding,-12} {g.Corpus,-20} {g.Threads,3} {g.Mbps,9:F2} | (no peer)");
            foreach (var p in peers)
                Console.WriteLine($"{g.Encoding,-12} {g.Corpus,-20} {g.Threads,3} {g.Mbps,9:F2} | {p.Peer,-14} {p.Mbps,8:F2} {g.Mbps / p.Mbps,6:F2}  {(p.Tokens == g.Tokens && p.Hash == g.Hash ? "yes" : $"NO ({p.Tokens} vs {g.Tokens} tokens)")}");
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "SharpLM.slnx"))) return d.FullName;
        throw new InvalidOperationException("SharpLM.slnx not found above the working directory.");
    }
}
