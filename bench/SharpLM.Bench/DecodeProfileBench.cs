// DecodeProfileBench: `sharplm-bench decode-profile` — where one decode step's time goes on the `decode` bench's
// files: ms per token for each part of the pass (EngineProfile: norms, q/k/v, RoPE + cache store, attention over
// the cache, attention output, gate/up, down, residual adds, LM head) and, for the projections, GB/s of the file's
// weights they read, against the machine's read bandwidth. Needs SHARPLM_PROFILE=1 in the environment (the probes
// are compiled out otherwise); the verb re-executes itself with it when it is missing.
// Options: --types F32,Q4_0  --threads 1,2  --depth 128  --tokens 128  --rounds 3 (best of)  --dir PATH  --kv f32|f16
using System.Diagnostics;
using SharpLM.Formats.Gguf;
using SharpLM.Inference.Engine;
using SharpLM.Tensors.Threading;
using Part = SharpLM.Inference.Engine.EngineProfile.Part;

namespace SharpLM.Bench;

internal static class DecodeProfileBench
{
    public static int Run(string[] args)
    {
        if (!EngineProfile.Enabled)
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!, [.. Environment.GetCommandLineArgs()[..1].Where(a => a.EndsWith(".dll")), "decode-profile", .. args]);
            psi.Environment["SHARPLM_PROFILE"] = "1";
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        var types = Opt("--types", "F32,F16,Q8_0,Q4_0,Q4_K_M,Q5_K_M,Q6_K").Split(',');
        var threads = Opt("--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        int depth = int.Parse(Opt("--depth", "128")), tokens = int.Parse(Opt("--tokens", "128")), rounds = int.Parse(Opt("--rounds", "3"));
        string dir = Opt("--dir", Path.Combine(Path.GetTempPath(), "sharplm-decode"));
        var kv = Opt("--kv", "f32") == "f16" ? KvCacheType.F16 : KvCacheType.F32;
        var parts = Enum.GetValues<Part>();
        Console.WriteLine($"ms per decoded token by part ({tokens} tokens after {depth} cached positions, {kv} KV cache, best of {rounds}); projections also as GB/s of the file's weights");
        Console.WriteLine($"| type | threads | tok/s | {string.Join(" | ", parts)} | unaccounted |");
        Console.WriteLine("|---|---|---|" + string.Concat(parts.Select(_ => "---|")) + "---|");
        foreach (var type in types)
        {
            string path = Path.Combine(dir, type == "F32" ? "llama-134m-F32.gguf" : $"llamacpp-134m-{type}.gguf");
            if (!File.Exists(path)) { Console.WriteLine($"| {type} | missing {path}: run `decode --llama-bench PATH` first |"); continue; }
            var bytes = PartBytes(path);
            using var engine = DecoderEngine.Open(path, depth + tokens + 1, kvType: kv);
            var logits = new float[engine.VocabSize];
            foreach (int t in threads)
            {
                WorkerPool.SetThreads(t);
                double bestTotal = double.MaxValue;
                long[] best = [];
                for (int r = 0; r < rounds; r++)
                {
                    for (int i = 0; i <= depth; i++) engine.Forward([1 + i], i, logits); // fill the cache to the depth
                    EngineProfile.Reset();
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < tokens; i++) engine.Forward([1 + i], depth + i, logits);
                    double total = sw.Elapsed.TotalSeconds;
                    if (total < bestTotal) { bestTotal = total; best = (long[])EngineProfile.Ticks.Clone(); }
                }
                double Ms(long ticks) => ticks / (double)Stopwatch.Frequency * 1e3 / tokens;
                var cells = parts.Select(p => bytes.TryGetValue(p, out long b) && best[(int)p] > 0
                    ? $"{Ms(best[(int)p]):F3} ({b * tokens / (best[(int)p] / (double)Stopwatch.Frequency) / 1e9:F1} GB/s)"
                    : $"{Ms(best[(int)p]):F3}");
                double accounted = best.Sum(x => Ms(x));
                Console.WriteLine($"| {type} | {t} | {tokens / bestTotal:F1} | {string.Join(" | ", cells)} | {bestTotal * 1e3 / tokens - accounted:F3} |");
            }
        }
        return 0;
    }

    /// <summary>Bytes of the file's weights each projection part reads per token.</summary>
    private static Dictionary<Part, long> PartBytes(string path)
    {
        using var f = GgufFile.Open(path);
        long Sum(params string[] suffixes) => f.Tensors.Where(t => suffixes.Any(s => t.Name.EndsWith(s))).Sum(t => t.ByteSize);
        return new()
        {
            [Part.Qkv] = Sum("attn_q.weight", "attn_k.weight", "attn_v.weight"), [Part.AttnOut] = Sum("attn_output.weight"),
            [Part.GateUp] = Sum("ffn_gate.weight", "ffn_up.weight"), [Part.Down] = Sum("ffn_down.weight"),
            [Part.Head] = f.TryGetTensor("output.weight") is { } o ? o.ByteSize : f.Tensor("token_embd.weight").ByteSize,
        };
    }
}
