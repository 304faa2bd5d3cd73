// TrainStepBench: `sharplm-bench train-step` — training throughput (forward + backward + global-norm clip
// + AdamW) of a LLaMA-style decoder in SharpLM against the same model in PyTorch (bench/peers/
// train_step_torch.py, Debian python3-torch, float32 CPU) in the same run, at 1 and 2 threads; prints
// tokens/s, ms/step and the ratio, plus SharpLM's managed bytes and new native bytes per step.
using System.Diagnostics;
using System.Text.Json;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Tensors.Storage;
using SharpLM.Tensors.Threading;
using SharpLM.Training.Optim;

namespace SharpLM.Bench;

internal static class TrainStepBench
{
    public static int Run(string[] args)
    {
        // Options: [steps] [--threads 1,2] [--no-peer]
        int steps = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 8;
        int ti = Array.IndexOf(args, "--threads");
        int[] threadCounts = ti >= 0 ? args[ti + 1].Split(',').Select(int.Parse).ToArray() : [1, 2];
        bool noPeer = args.Contains("--no-peer");
        var cfg = new { vocab = 65, dim = 256, layers = 4, heads = 4, ffn = 704, ctx = 128, batch = 16, steps };
        var config = new DecoderConfig
        {
            Family = ModelFamily.Llama, VocabSize = cfg.vocab, Dim = cfg.dim, Layers = cfg.layers, Heads = cfg.heads, KvHeads = cfg.heads,
            FfnDim = cfg.ffn, MaxPositions = cfg.ctx,
        };
        Console.WriteLine($"LLaMA-style decoder: dim {cfg.dim}, {cfg.layers} layers, {cfg.heads} heads, ffn {cfg.ffn}, vocab {cfg.vocab}, batch {cfg.batch} x ctx {cfg.ctx} = {cfg.batch * cfg.ctx} tokens/step, {DecoderLayout.Count(config):N0} parameters");
        Console.WriteLine($"{"threads",8} {"SharpLM tok/s",14} {"PyTorch tok/s",14} {"ratio",7} {"ms/step",9} {"managed KB/step",16} {"new native B/step",18}");
        foreach (int threads in threadCounts)
        {
            WorkerPool.SetThreads(threads);
            var (tps, ms, managed, native) = Ours(config, cfg.batch, cfg.ctx, steps);
            double peer = noPeer ? double.NaN : Peer(JsonSerializer.Serialize(new { cfg.vocab, cfg.dim, cfg.layers, cfg.heads, cfg.ffn, cfg.ctx, cfg.batch, cfg.steps, threads }));
            Console.WriteLine($"{threads,8} {tps,14:F0} {peer,14:F0} {tps / peer,7:F2} {ms,9:F1} {managed / 1024.0,16:F1} {native,18}");
        }
        return 0;
    }

    private static (double TokensPerS, double MsPerStep, long ManagedPerStep, long NativePerStep) Ours(DecoderConfig c, int batch, int ctx, int steps)
    {
        using var model = new DecoderModel(c, seed: 1);
        var opt = new AdamW(ParamGroup.DecayMatricesOnly(model.NamedParameters(), 0.1f), 0.9f, 0.95f);
        var gen = new Generator(3);
        var ids = Enumerable.Range(0, batch * ctx).Select(_ => gen.NextInt(c.VocabSize)).ToArray();
        var tgt = Enumerable.Range(0, batch * ctx).Select(_ => gen.NextInt(c.VocabSize)).ToArray();
        void Step()
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var loss = DecoderModel.Loss(model.Forward(Tensor.FromArray(ids, batch, ctx)), Tensor.FromArray(tgt, batch, ctx));
            loss.Backward();
            GradClip.ClipGlobalNorm(model.NamedParameters().Select(p => p.Param), 1f);
            opt.Step(1e-3f);
        }
        Step(); Step();
        var times = new List<double>();
        long m0 = GC.GetTotalAllocatedBytes(true), n0 = MemoryPool.BytesFromOs;
        for (int i = 0; i < steps; i++)
        {
            var sw = Stopwatch.StartNew();
            Step();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        long managed = (GC.GetTotalAllocatedBytes(true) - m0) / steps, native = (MemoryPool.BytesFromOs - n0) / steps;
        times.Sort();
        double med = times[times.Count / 2];
        return (batch * ctx / (med / 1000), med, managed, native);
    }

    /// <summary>Runs a PyTorch peer script from bench/peers with <paramref name="json"/> on stdin; returns its tokens/s.</summary>
    internal static double Peer(string json, string scriptName = "train_step_torch.py")
    {
        var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "peers", scriptName);
        if (!File.Exists(script)) script = Path.Combine("bench", "peers", scriptName);
        var psi = new ProcessStartInfo("/usr/bin/python3", script) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        // Debian's torch calls OpenBLAS, whose pool ignores torch.set_num_threads: pin every pool.
        string threads = JsonDocument.Parse(json).RootElement.GetProperty("threads").GetInt32().ToString();
        foreach (var v in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" }) psi.Environment[v] = threads;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        p.StandardInput.Write(json);
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"PyTorch peer failed ({p.ExitCode}): {err}");
        return JsonDocument.Parse(output).RootElement.GetProperty("tokens_per_s").GetDouble();
    }
}
