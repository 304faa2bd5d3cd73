// quant-gemm: the prefill matmul for Q8_0/Q4_0 weights on its own — int8 QuantGemm against dequantise-to-f32 +
// SGEMM (the route it replaced) and against SGEMM on the same weights in f32 (the f32 FMA ceiling), for the
// 134M decode model's shapes at 128 tokens. The llama.cpp comparison of the whole prefill is the decode verb.
// Options: --threads 1,2  --tokens 128
using System.Diagnostics;
using SharpLM.Inference.Engine;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static unsafe class QuantGemmBench
{
    public static int Run(string[] args)
    {
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        var threads = Opt("--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        int tokens = int.Parse(Opt("--tokens", "128"));
        (int Rows, int Cols)[] shapes = [(768, 768), (2048, 768), (768, 2048)];
        Console.WriteLine($"quant-gemm: {tokens} tokens; GOP/s = 2·rows·cols·tokens / time (best of 5)");
        Console.WriteLine("| type | threads | rows×cols | int8 QuantGemm | dequant+SGEMM | ratio | f32 SGEMM | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (int th in threads)
        {
            WorkerPool.SetThreads(th);
            foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q4_0 })
                foreach (var (rows, cols) in shapes)
                {
                    var rng = new Random(1);
                    var w = new float[rows * cols];
                    for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);
                    var x = new float[tokens * cols];
                    for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
                    var bytes = new byte[type.ByteSize((long)rows * cols)];
                    GgmlQuant.Quantize(type, w, bytes);
                    var y = new float[tokens * rows];
                    using var qa = new QuantizedActivations(cols, tokens);
                    using var mm = new Matmul();
                    double ops = 2.0 * rows * cols * tokens;
                    fixed (byte* b = bytes)
                    fixed (float* xp = x, yp = y, wp = w)
                    {
                        var m = new WeightMatrix(type, b, rows, cols);
                        var mf = new WeightMatrix(GgmlType.F32, (byte*)wp, rows, cols);
                        nint xa = (nint)xp, ya = (nint)yp; // the lambdas below cannot capture fixed locals
                        double q8 = Best(() => { qa.Quantize((float*)xa, tokens); mm.Gemm((float*)xa, tokens, m, (float*)ya, rows, qa); });
                        double deq = Best(() => mm.Gemm((float*)xa, tokens, m, (float*)ya, rows));
                        double f32 = Best(() => mm.Gemm((float*)xa, tokens, mf, (float*)ya, rows));
                        Console.WriteLine($"| {type} | {th} | {rows}×{cols} | {ops / q8 / 1e9:F1} | {ops / deq / 1e9:F1} | {deq / q8:F2} | {ops / f32 / 1e9:F1} | {f32 / q8:F2} |");
                    }
                }
        }
        return 0;
    }

    private static double Best(Action run)
    {
        for (int i = 0; i < 3; i++) run();
        double best = double.MaxValue;
        for (int rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            do { run(); n++; } while (sw.Elapsed.TotalMilliseconds < 100);
            best = Math.Min(best, sw.Elapsed.TotalSeconds / n);
        }
        return best;
    }
}
