// DecodeBench: `sharplm-bench decode` — SharpLM's DecoderEngine against llama.cpp on the same GGUF files of a
// random-weight LLaMA (dim 768, 12 layers, 12 heads, FFN 2048, vocab 32000, ≈134M parameters). SharpLM writes the
// F32 file; with --llama-bench the other types are made by llama.cpp's own llama-quantize from it (F16, Q8_0, Q4_0,
// Q4_K_M, Q5_K_M, Q6_K; without it SharpLM's writer makes F16/Q8_0/Q4_0 and random K blocks). Peers:
//  * native llama-bench (--llama-bench PATH, built from source as DEVELOPERS.md says): both sides timed the same
//    way — prefill of 128 tokens, decode of 128 tokens from an empty cache (llama-bench -p 128 -n 128; ours one
//    token per forward from position 0, greedy argmax included) and, with --depth D, 128 tokens decoded after D
//    cached positions (llama-bench -pg D,128 minus pp D). Best of --rounds N rounds, interleaved (each round runs
//    every type × threads, ours and llama-bench alternately first), and every step records the CPU time other
//    processes took while it ran (OtherCpu); a step with more than --max-other cores of it is re-run (up to 3 times).
//  * npm node-llama-cpp (bench/interop, `npm install` there; --no-npm skips it): prefill/decode once per type and
//    whether SharpLM's 64 greedy ids after the prompt equal llama.cpp's (F32 and F16 must: exit code 1 otherwise).
// Decode is also given as GB/s of the file's weights streamed per token (2-D tensors, the embedding excluded
// unless it is the tied head) against the measured read bandwidth (a parallel Vector512 sum over 512 MiB).
// Options: --threads 1,2  --types F32,F16,Q8_0,Q4_0,Q4_K_M,Q5_K_M,Q6_K  --llama-bench PATH  --llama-quantize PATH
//          --rounds 5  --depth 0  --max-other 0.1  --no-npm  --dir PATH  --decode-tokens 128  --kv f32|f16 (ours)
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using SharpLM.Inference.Engine;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static unsafe class DecodeBench
{
    private const int PromptLength = 128, GreedyTokens = 64;
    private static int DecodeTokens = 128;
    private static KvCacheType KvType = KvCacheType.F32;

    /// <summary>The file kinds: llama-quantize's ftype names (Q4_K = Q4_K_M and Q5_K = Q5_K_M, as llama-quantize's aliases).</summary>
    private static readonly Dictionary<string, string> Aliases = new() { ["Q4_K"] = "Q4_K_M", ["Q5_K"] = "Q5_K_M" };

    private sealed class Row
    {
        public double Prefill, Decode, Depth, LPrefill = double.NaN, LDecode = double.NaN, LDepth = double.NaN, Other, LOther;
        public int Reruns;
    }

    public static int Run(string[] args)
    {
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        var threads = Opt("--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        var kinds = Opt("--types", "F32,F16,Q8_0,Q4_0,Q4_K_M,Q5_K_M,Q6_K").Split(',').Select(k => Aliases.GetValueOrDefault(k, k)).ToArray();
        string? llamaBench = Opt("--llama-bench", "") is { Length: > 0 } lb ? Path.GetFullPath(lb) : null;
        string? quantize = Opt("--llama-quantize", llamaBench is null ? "" : Path.Combine(Path.GetDirectoryName(llamaBench)!, "llama-quantize")) is { Length: > 0 } q ? q : null;
        bool npm = !args.Contains("--no-npm") && !args.Contains("--no-peer");
        var dir = Opt("--dir", Path.Combine(Path.GetTempPath(), "sharplm-decode"));
        int rounds = int.Parse(Opt("--rounds", "5")), depth = int.Parse(Opt("--depth", "0"));
        double maxOther = double.Parse(Opt("--max-other", "0.1"), System.Globalization.CultureInfo.InvariantCulture);
        DecodeTokens = int.Parse(Opt("--decode-tokens", "128"));
        KvType = Opt("--kv", "f32") == "f16" ? KvCacheType.F16 : KvCacheType.F32; // llama.cpp's cache is f16

        var paths = BenchFiles(dir, kinds, quantize);
        var rng = new Random(11);
        var prompt = Enumerable.Range(0, Math.Max(PromptLength, depth)).Select(_ => rng.Next(1, Config.VocabSize)).ToArray();
        var bandwidth = threads.ToDictionary(t => t, ReadBandwidth);
        foreach (var (t, gbs) in bandwidth) Console.WriteLine($"read bandwidth, {t} thread(s): {gbs:F1} GB/s (sum over 512 MiB, best of 5)");
        var fileBytes = paths.ToDictionary(p => p.Key, p => StreamedBytes(p.Value));

        // Best of N interleaved rounds; engines stay open (weights packed once) across rounds.
        var engines = new Dictionary<string, DecoderEngine>();
        var rows = kinds.SelectMany(k => threads.Select(t => (k, t))).ToDictionary(x => x, _ => new Row());
        try
        {
            for (int r = 0; r < rounds; r++)
            {
                foreach (var kind in kinds)
                    foreach (int t in threads)
                    {
                        var row = rows[(kind, t)];
                        bool peerFirst = (r & 1) == 1;
                        if (peerFirst && llamaBench is not null) Peer(row, llamaBench, paths[kind], t, depth, maxOther);
                        var engine = engines.TryGetValue(kind, out var e) ? e : engines[kind] = DecoderEngine.Open(paths[kind], prompt.Length + DecodeTokens + 16, kvType: KvType);
                        WorkerPool.SetThreads(t);
                        var (pf, dec, dd, other, reruns) = Step(() => OursOnce(engine, prompt, depth), maxOther);
                        if (dec > row.Decode) { row.Decode = dec; row.Other = other; }
                        row.Prefill = Math.Max(row.Prefill, pf); row.Depth = Math.Max(row.Depth, dd); row.Reruns += reruns;
                        if (!peerFirst && llamaBench is not null) Peer(row, llamaBench, paths[kind], t, depth, maxOther);
                    }
                Console.Error.WriteLine($"round {r + 1}/{rounds} done");
            }
        }
        finally { foreach (var e in engines.Values) e.Dispose(); }

        Console.WriteLine();
        Console.WriteLine($"decode: {DecodeTokens} tokens from an empty cache{(depth > 0 ? $", and after {depth} cached positions" : "")}; prefill: {PromptLength} tokens; best of {rounds} interleaved rounds");
        string depthCols = depth > 0 ? $" decode@{depth} ours / llama-bench | ratio |" : "";
        Console.WriteLine($"| type | threads | prefill ours / llama-bench tok/s | ratio | decode ours / llama-bench tok/s | ratio |{depthCols} MB/token | ours GB/s (% of read bw) | llama-bench GB/s | other CPU ours / llama-bench (cores) | re-runs |");
        Console.WriteLine("|---|---|---|---|---|---|" + (depth > 0 ? "---|---|" : "") + "---|---|---|---|---|");
        foreach (var ((kind, t), row) in rows)
        {
            double mb = fileBytes[kind] / 1e6, gbs = fileBytes[kind] * row.Decode / 1e9, lgbs = fileBytes[kind] * row.LDecode / 1e9;
            string dcol = depth > 0 ? $" {row.Depth:F1} / {row.LDepth:F1} | {row.Depth / row.LDepth:F2} |" : "";
            Console.WriteLine($"| {kind} | {t} | {row.Prefill:F0} / {row.LPrefill:F0} | {row.Prefill / row.LPrefill:F2} | {row.Decode:F1} / {row.LDecode:F1} | {row.Decode / row.LDecode:F2} |{dcol} " +
                              $"{mb:F0} | {gbs:F1} ({gbs / bandwidth[t] * 100:F0}%) | {lgbs:F1} | {row.Other:F2} / {row.LOther:F2} | {row.Reruns} |");
        }
        return npm ? NpmPeer(kinds, paths, prompt[..PromptLength], threads.Max()) : 0;
    }

    /// <summary>Runs a step until it was not disturbed (other processes below <paramref name="maxOther"/> cores), at most 4 times; keeps the best.</summary>
    private static (double, double, double, double Other, int Reruns) Step(Func<(double, double, double)> step, double maxOther)
    {
        (double A, double B, double C, double O) best = (0, 0, 0, double.MaxValue);
        for (int attempt = 0; ; attempt++)
        {
            var start = CpuSnapshot.Take();
            var (a, b, c) = step();
            double other = CpuSnapshot.OtherCoresSince(start);
            if (other < best.O || (other <= maxOther && b > best.B)) best = (a, b, c, other);
            if (other <= maxOther || attempt == 3) return (best.A, best.B, best.C, best.O, attempt);
        }
    }

    private static void Peer(Row row, string llamaBench, string path, int threads, int depth, double maxOther)
    {
        var (pf, dec, dd, other, reruns) = Step(() =>
        {
            var res = NativeLlamaCpp.Bench(llamaBench, path, threads, PromptLength, DecodeTokens, depth);
            return (res.Prefill, res.Decode, res.DepthDecode);
        }, maxOther);
        if (double.IsNaN(row.LDecode) || dec > row.LDecode) { row.LDecode = dec; row.LOther = other; }
        row.LPrefill = double.IsNaN(row.LPrefill) ? pf : Math.Max(row.LPrefill, pf);
        row.LDepth = double.IsNaN(row.LDepth) ? dd : Math.Max(row.LDepth, dd);
        row.Reruns += reruns;
    }

    /// <summary>One step of ours, as llama-bench times its tests: prefill of 128 tokens, decode from position 0, and decode after <paramref name="depth"/>.</summary>
    private static (double Prefill, double Decode, double Depth) OursOnce(DecoderEngine engine, int[] prompt, int depth)
    {
        var logits = new float[engine.VocabSize];
        engine.Forward([prompt[0]], 0, logits); // warm-up, as llama-bench's
        var sw = Stopwatch.StartNew();
        engine.Forward(prompt.AsSpan(0, PromptLength), 0, logits);
        double prefill = PromptLength / sw.Elapsed.TotalSeconds;
        double Decode(int from)
        {
            int token = prompt[0];
            var timer = Stopwatch.StartNew();
            for (int i = 0; i < DecodeTokens; i++)
            {
                engine.Forward([token], from + i, logits);
                token = ArgMax(logits);
            }
            return DecodeTokens / timer.Elapsed.TotalSeconds;
        }
        double decode = Decode(0);
        double atDepth = double.NaN;
        if (depth > 0)
        {
            engine.Forward(prompt.AsSpan(0, depth), 0, logits);
            atDepth = Decode(depth);
        }
        return (prefill, decode, atDepth);
    }

    /// <summary>npm node-llama-cpp on each file (once, <paramref name="threads"/> threads): its figures and whether our greedy ids equal its.</summary>
    private static int NpmPeer(string[] kinds, Dictionary<string, string> paths, int[] prompt, int threads)
    {
        if (!Directory.Exists(Path.Combine("bench", "interop", "node_modules", "node-llama-cpp")))
        {
            Console.WriteLine("npm peer skipped: run `npm install` in bench/interop (or pass --no-npm).");
            return 1;
        }
        WorkerPool.SetThreads(threads);
        Console.WriteLine();
        Console.WriteLine($"npm node-llama-cpp, {threads} thread(s), one run each; {GreedyTokens} greedy ids after the {prompt.Length}-token prompt:");
        Console.WriteLine("| type | prefill ours / npm tok/s | decode ours / npm tok/s | greedy ids |");
        Console.WriteLine("|---|---|---|---|");
        int failures = 0;
        foreach (var kind in kinds)
        {
            var (pf, dec, ids) = Greedy(paths[kind], prompt);
            var (p2, d2, theirs) = LlamaCpp(paths[kind], prompt, GreedyTokens, threads, 3);
            int agree = ids.Zip(theirs).TakeWhile(p => p.First == p.Second).Count();
            if (agree < GreedyTokens && kind is "F32" or "F16") failures++;
            Console.WriteLine($"| {kind} | {pf:F0} / {p2:F0} | {dec:F1} / {d2:F1} | {(agree >= GreedyTokens ? "identical" : $"first {agree} equal")} |");
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The GGUF file of each kind under <paramref name="dir"/> (made once): SharpLM's F32, the rest by llama-quantize when given.</summary>
    private static Dictionary<string, string> BenchFiles(string dir, string[] kinds, string? quantize)
    {
        if (quantize is null)
        {
            var types = kinds.ToDictionary(k => k, k => Enum.Parse<GgmlType>(k.Replace("_M", "")));
            var files = ModelFiles(dir, types.Values.Distinct().ToArray());
            return kinds.ToDictionary(k => k, k => files[types[k]]);
        }
        string f32 = ModelFiles(dir, [GgmlType.F32])[GgmlType.F32];
        var paths = new Dictionary<string, string>();
        foreach (var kind in kinds)
        {
            if (kind == "F32") { paths[kind] = f32; continue; }
            string p = Path.Combine(dir, $"llamacpp-134m-{kind}.gguf");
            if (!File.Exists(p))
            {
                NativeLlamaCpp.Quantize(quantize, f32, p, kind);
                Console.WriteLine($"llama-quantize wrote {p} ({new FileInfo(p).Length / 1e6:F0} MB)");
            }
            paths[kind] = p;
        }
        return paths;
    }

    /// <summary>Bytes of stored weights one decode step reads: every 2-D tensor but the embedding (looked up by row), which counts only as a tied head.</summary>
    private static long StreamedBytes(string path)
    {
        using var f = GgufFile.Open(path);
        bool tied = f.TryGetTensor("output.weight") is null;
        return f.Tensors.Where(t => t.Shape.Length == 2 && (t.Name != "token_embd.weight" || tied)).Sum(t => t.ByteSize);
    }

    /// <summary>The ≈134M-parameter random-weight LLaMA both decode benchmarks run.</summary>
    public static readonly DecoderConfig Config = new()
    {
        Family = ModelFamily.Llama, VocabSize = 32000, Dim = 768, Layers = 12, Heads = 12, KvHeads = 12, FfnDim = 2048,
        MaxPositions = 512, NormEps = 1e-5f, InitStd = 0.05f,
    };

    /// <summary>Paths of the model written as GGUF in each of <paramref name="types"/> under <paramref name="dir"/> (written once, then reused).</summary>
    public static Dictionary<GgmlType, string> ModelFiles(string dir, GgmlType[] types)
    {
        Directory.CreateDirectory(dir);
        var paths = types.ToDictionary(t => t, t => Path.Combine(dir, $"llama-134m-{t}.gguf"));
        if (paths.Values.Any(p => !File.Exists(p)))
        {
            using var model = new DecoderModel(Config, seed: 7);
            foreach (var (t, p) in paths)
                if (!File.Exists(p))
                {
                    if (t is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K) // not quantisable by SharpLM: random K blocks, Q4_K_M-style Q6_K head
                    {
                        string f32 = Path.Combine(dir, "llama-134m-F32.gguf");
                        if (!File.Exists(f32)) ModelFile.Save(model, f32, ModelFileFormat.Gguf, GgmlType.F32);
                        SyntheticKQuant.Rewrite(f32, p, x => x.Name is "token_embd.weight" or "output.weight" ? GgmlType.Q6_K : t, seed: 7);
                    }
                    else ModelFile.Save(model, p, ModelFileFormat.Gguf, t);
                    Console.WriteLine($"wrote {p} ({new FileInfo(p).Length / 1e6:F0} MB)");
                }
        }
        return paths;
    }

    /// <summary>Ours as the npm script runs: best-of-3 prefill, then <see cref="GreedyTokens"/> greedy ids after the prompt.</summary>
    private static (double Prefill, double Decode, int[] Ids) Greedy(string path, int[] prompt)
    {
        using var engine = DecoderEngine.Open(path, contextLength: prompt.Length + GreedyTokens + 16, kvType: KvType);
        var logits = new float[engine.VocabSize];
        double best = double.MaxValue;
        for (int r = 0; r <= 3; r++) // the first run warms the mapping up and is not counted
        {
            var sw = Stopwatch.StartNew();
            engine.Forward(prompt, 0, logits);
            if (r > 0) best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        var ids = new int[GreedyTokens];
        ids[0] = ArgMax(logits);
        var timer = Stopwatch.StartNew();
        for (int i = 1; i <= GreedyTokens; i++)
        {
            engine.Forward([ids[i - 1]], prompt.Length + i - 1, logits);
            if (i < GreedyTokens) ids[i] = ArgMax(logits);
        }
        return (prompt.Length / best, GreedyTokens / timer.Elapsed.TotalSeconds, ids);
    }

    private static int ArgMax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private struct SumJob { public float* Data; public long Floats; public int Items; public float* Partial; }

    /// <summary>GB/s of a parallel Vector512 sum over 512 MiB with <paramref name="threads"/> threads (best of 5).</summary>
    private static double ReadBandwidth(int threads)
    {
        WorkerPool.SetThreads(threads);
        long floats = 128L << 20;
        var data = (float*)NativeMemory.AlignedAlloc((nuint)(floats * 4), 64);
        var partial = (float*)NativeMemory.AlignedAlloc(64 * 4, 64);
        try
        {
            new Span<float>(data, (int)floats).Fill(1f);
            var job = new SumJob { Data = data, Floats = floats, Items = 64, Partial = partial };
            double best = 0;
            for (int r = 0; r < 5; r++)
            {
                var sw = Stopwatch.StartNew();
                WorkerPool.Shared.For(job.Items, &SumItem, &job);
                best = Math.Max(best, floats * 4 / sw.Elapsed.TotalSeconds / 1e9);
            }
            return best;
        }
        finally { NativeMemory.AlignedFree(data); NativeMemory.AlignedFree(partial); }
    }

    private static void SumItem(int i, void* ctx)
    {
        var j = (SumJob*)ctx;
        long per = j->Floats / j->Items;
        float* p = j->Data + i * per;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (long k = 0; k < per; k += 64)
        {
            a0 += Vector512.Load(p + k); a1 += Vector512.Load(p + k + 16);
            a2 += Vector512.Load(p + k + 32); a3 += Vector512.Load(p + k + 48);
        }
        j->Partial[i] = Vector512.Sum(a0 + a1 + a2 + a3);
    }

    private static (double Prefill, double Decode, int[] Ids) LlamaCpp(string model, int[] prompt, int n, int threads, int prefillRuns)
    {
        var script = Path.GetFullPath(Path.Combine("bench", "interop", "llamacpp_decode.mjs"));
        var psi = new ProcessStartInfo("node", [script, model, string.Join(",", prompt), n.ToString(), threads.ToString(), prefillRuns.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"llama.cpp peer failed ({p.ExitCode}): {stderr}");
        var root = JsonDocument.Parse(stdout.Split('\n').Last(l => l.TrimStart().StartsWith('{'))).RootElement;
        return (root.GetProperty("prefill_tps").GetDouble(), root.GetProperty("decode_tps").GetDouble(),
                root.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }
}
