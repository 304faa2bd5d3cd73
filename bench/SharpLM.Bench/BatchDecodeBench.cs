// BatchDecodeBench: `sharplm-bench batch-decode` — decode throughput of B prompts (B = 1, 4, 8; prompt
// lengths 24, 32, 40, …) on the ≈134M LLaMA GGUF files of `decode`, through TextGenerator.GenerateBatch:
// batched (one engine with B cache slots, one ForwardBatch per step for all sequences, so the weights are
// streamed once per step) against sequential (one slot, the prompts one after another). Throughput is
// generated tokens summed over sequences per second outside prefill (GenerationStats); the ratio is
// batched / sequential. Also whether the batched greedy ids equal the sequential ones (for quantised types the
// GEMM route depends on a pass's row count, so ids may part ways on near-ties). No llama.cpp peer here.
// Options: --threads 2  --types Q4_0,F16  --batches 1,4,8  --tokens 32  --dir PATH
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static class BatchDecodeBench
{
    public static int Run(string[] args)
    {
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        int threads = int.Parse(Opt("--threads", "2"));
        var types = Opt("--types", "Q4_0,F16").Split(',').Select(Enum.Parse<GgmlType>).ToArray();
        var batches = Opt("--batches", "1,4,8").Split(',').Select(int.Parse).ToArray();
        int tokens = int.Parse(Opt("--tokens", "32"));
        var paths = DecodeBench.ModelFiles(Opt("--dir", Path.Combine(Path.GetTempPath(), "sharplm-decode")), types);
        WorkerPool.SetThreads(threads);
        var rng = new Random(11);
        var prompts = Enumerable.Range(0, batches.Max())
            .Select(i => (IReadOnlyList<int>)Enumerable.Range(0, 24 + 8 * i).Select(_ => rng.Next(1, DecodeBench.Config.VocabSize)).ToArray()).ToArray();
        var options = new GenerationOptions { MaxNewTokens = tokens };
        int context = prompts.Max(p => p.Count) + tokens;

        Console.WriteLine($"{threads} thread(s), {tokens} new tokens per sequence, greedy");
        Console.WriteLine("| type | batch | batched decode tok/s | sequential decode tok/s | ratio | batched prefill tok/s | greedy ids |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var type in types)
            foreach (int b in batches)
            {
                var batch = prompts[..b];
                var opts = TextGenerator.PerPrompt(options, b);
                BatchGenerationResult together, alone;
                using (var engine = DecoderEngine.Open(paths[type], context, maxSequences: b))
                {
                    var gen = new TextGenerator(engine);
                    gen.GenerateBatch(batch, opts);                                         // warm-up: maps the file, sizes scratch
                    together = gen.GenerateBatch(batch, opts);
                }
                using (var engine = DecoderEngine.Open(paths[type], context))
                {
                    var gen = new TextGenerator(engine);
                    gen.GenerateBatch(batch[..1], opts.Take(1).ToArray());
                    alone = gen.GenerateBatch(batch, opts);
                }
                int same = together.Results.Zip(alone.Results).Count(p => p.First.Tokens.SequenceEqual(p.Second.Tokens));
                Console.WriteLine($"| {type} | {b} | {together.DecodeTokensPerSecond:F1} | {alone.DecodeTokensPerSecond:F1} | " +
                                  $"{together.DecodeTokensPerSecond / alone.DecodeTokensPerSecond:F2} | {together.PrefillTokensPerSecond:F0} | {same}/{b} identical |");
            }
        return 0;
    }
}
