// DecodeBench: `sharplm-bench decode` — writes a random-weight LLaMA (dim 768, 12 layers, 12 heads, FFN 2048,
// vocab 32000, ≈134M parameters) as GGUF with SharpLM's writer in F32, F16, Q8_0 and Q4_0 (under /tmp), then
// runs DecoderEngine and llama.cpp (npm node-llama-cpp prebuilt, bench/interop/llamacpp_decode.mjs) on the same
// files with 1 and 2 threads: prefill tokens/s of a 128-token prompt (best of 3), greedy decode tokens/s of
// 64 tokens, ratios; F32 decode as GB/s of weights streamed against a measured read bandwidth (parallel sum
// over a 512 MiB buffer); and whether the greedy ids equal llama.cpp's (F32 and F16 must).
// Options: --threads 1,2  --types F32,F16,Q8_0,Q4_0 (also Q4_K, Q5_K, Q6_K: random K blocks)  --no-peer  --dir PATH  --prefill-runs 5 (best of N)  --decode-tokens 64  --kv f32|f16 (our KV cache type)
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
    private const int PromptLength = 128;
    private static int DecodeTokens = 64; // --decode-tokens: longer runs average out the VM's noise
    private static KvCacheType KvType = KvCacheType.F32;

    public static int Run(string[] args)
    {
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        var threads = Opt("--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        var types = Opt("--types", "F32,F16,Q8_0,Q4_0").Split(',').Select(Enum.Parse<GgmlType>).ToArray();
        bool peer = !args.Contains("--no-peer");
        var dir = Opt("--dir", Path.Combine(Path.GetTempPath(), "sharplm-decode"));
        int prefillRuns = int.Parse(Opt("--prefill-runs", "5"));
        DecodeTokens = int.Parse(Opt("--decode-tokens", "64"));
        KvType = Opt("--kv", "f32") == "f16" ? KvCacheType.F16 : KvCacheType.F32; // llama.cpp's cache is f16 // more runs: steadier figures, and a prefill-heavy profile

        var paths = ModelFiles(dir, types);
        var config = Config;
        var rng = new Random(11);
        var prompt = Enumerable.Range(0, PromptLength).Select(_ => rng.Next(1, config.VocabSize)).ToArray();

        var bandwidth = threads.ToDictionary(t => t, ReadBandwidth);
        foreach (var (t, gbs) in bandwidth) Console.WriteLine($"read bandwidth, {t} thread(s): {gbs:F1} GB/s (sum over 512 MiB, best of 5)");
        Console.WriteLine();
        Console.WriteLine("| type | threads | SharpLM prefill tok/s | llama.cpp prefill tok/s | ratio | SharpLM decode tok/s | llama.cpp decode tok/s | ratio | greedy ids |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        int failures = 0;
        var notes = new List<string>();
        foreach (var type in types)
            foreach (int t in threads)
            {
                WorkerPool.SetThreads(t);
                var (pf, dec, ids, bytesPerToken) = Ours(paths[type], prompt, prefillRuns);
                double lpf = double.NaN, ldec = double.NaN;
                string same = "-";
                if (peer)
                {
                    var (p2, d2, theirs) = LlamaCpp(paths[type], prompt, DecodeTokens, t, prefillRuns); // the same best-of-N for the peer
                    lpf = p2; ldec = d2;
                    int agree = ids.Zip(theirs).TakeWhile(p => p.First == p.Second).Count();
                    same = agree >= DecodeTokens ? "identical" : $"first {agree} equal";
                    if (agree < DecodeTokens && type is GgmlType.F32 or GgmlType.F16) failures++;
                }
                Console.WriteLine($"| {type} | {t} | {pf:F0} | {lpf:F0} | {pf / lpf:F2} | {dec:F1} | {ldec:F1} | {dec / ldec:F2} | {same} |");
                if (type == GgmlType.F32)
                    notes.Add($"F32 decode, {t} thread(s): {bytesPerToken / 1e6:F0} MB of weights per token × {dec:F1} tok/s = {bytesPerToken * dec / 1e9:F1} GB/s " +
                              $"({bytesPerToken * dec / 1e9 / bandwidth[t] * 100:F0}% of the measured {bandwidth[t]:F1} GB/s); llama.cpp {bytesPerToken * ldec / 1e9:F1} GB/s");
            }
        Console.WriteLine();
        foreach (var n in notes) Console.WriteLine(n);
        return failures == 0 ? 0 : 1;
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

    private static (double Prefill, double Decode, int[] Ids, long BytesPerToken) Ours(string path, int[] prompt, int prefillRuns)
    {
        using var engine = DecoderEngine.Open(path, contextLength: prompt.Length + DecodeTokens + 16, kvType: KvType);
        var logits = new float[engine.VocabSize];
        double best = double.MaxValue;
        for (int r = 0; r <= prefillRuns; r++) // the first run warms the mapping up and is not counted
        {
            var sw = Stopwatch.StartNew();
            engine.Forward(prompt, 0, logits);
            if (r > 0) best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        var ids = new int[DecodeTokens];
        ids[0] = ArgMax(logits);
        var timer = Stopwatch.StartNew();
        for (int i = 1; i <= DecodeTokens; i++)
        {
            engine.Forward([ids[i - 1]], prompt.Length + i - 1, logits);
            if (i < DecodeTokens) ids[i] = ArgMax(logits);
        }
        double decode = DecodeTokens / timer.Elapsed.TotalSeconds;
        return (prompt.Length / best, decode, ids, engine.WeightBytesPerToken);
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
