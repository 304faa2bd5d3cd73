// LoraStepBench: `sharplm-bench lora-step` — a LoRA fine-tuning step (r 8, alpha 16 on every projection of every block,
// the base frozen, AdamW + clipping over the adapter tensors) on the train-step model, against (a) a full fine-tuning
// step of the same model in SharpLM and (b) the same LoRA written by hand in PyTorch (bench/peers/lora_step_torch.py),
// in the same run; prints tokens/s and the ratios, and checks that no frozen weight received a gradient.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Models.Peft;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Tensors.Threading;
using SharpLM.Training.Optim;

namespace SharpLM.Bench;

internal static class LoraStepBench
{
    public static int Run(string[] args)
    {
        // Options: [steps] [--threads 1] [--no-peer]
        int steps = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 8;
        int ti = Array.IndexOf(args, "--threads");
        int[] threadCounts = ti >= 0 ? args[ti + 1].Split(',').Select(int.Parse).ToArray() : [1];
        bool noPeer = args.Contains("--no-peer");
        var cfg = new { vocab = 65, dim = 256, layers = 4, heads = 4, ffn = 704, ctx = 128, batch = 16, steps, rank = 8, alpha = 16 };
        var config = new DecoderConfig
        {
            Family = ModelFamily.Llama, VocabSize = cfg.vocab, Dim = cfg.dim, Layers = cfg.layers, Heads = cfg.heads, KvHeads = cfg.heads,
            FfnDim = cfg.ffn, MaxPositions = cfg.ctx,
        };
        Console.WriteLine($"LLaMA-style decoder: dim {cfg.dim}, {cfg.layers} layers, ffn {cfg.ffn}, {DecoderLayout.Count(config):N0} parameters; LoRA r {cfg.rank} on q,k,v,o,gate,up,down; batch {cfg.batch} x ctx {cfg.ctx}");
        Console.WriteLine($"{"threads",8} {"full tok/s",11} {"LoRA tok/s",11} {"LoRA/full",10} {"PyTorch LoRA",13} {"ours/PyTorch",13}");
        foreach (int threads in threadCounts)
        {
            WorkerPool.SetThreads(threads);
            double full = Ours(config, cfg.batch, cfg.ctx, steps, lora: false, cfg.rank, cfg.alpha);
            double lora = Ours(config, cfg.batch, cfg.ctx, steps, lora: true, cfg.rank, cfg.alpha);
            double peer = noPeer ? double.NaN : TrainStepBench.Peer(JsonSerializer.Serialize(new { cfg.vocab, cfg.dim, cfg.layers, cfg.heads, cfg.ffn, cfg.ctx, cfg.batch, cfg.steps, cfg.rank, cfg.alpha, threads }), "lora_step_torch.py");
            Console.WriteLine($"{threads,8} {full,11:F0} {lora,11:F0} {lora / full,10:F2} {peer,13:F0} {lora / peer,13:F2}");
        }
        return 0;
    }

    /// <summary>Median tokens/s of a training step: all parameters, or LoRA adapters over the frozen base.</summary>
    private static double Ours(DecoderConfig c, int batch, int ctx, int steps, bool lora, int rank, int alpha)
    {
        using var model = new DecoderModel(c, seed: 1);
        List<Tensor> trained;
        if (lora)
        {
            foreach (var (_, p) in model.NamedParameters()) p.RequiresGrad = false;
            var cfg = new JsonObject { ["peft_type"] = "LORA", ["r"] = rank, ["lora_alpha"] = alpha, ["target_modules"] = "all-linear" };
            trained = PeftMethods.Attach(cfg, model, seed: 2).Parameters.ToList();
        }
        else trained = model.NamedParameters().Select(p => p.Param).ToList();
        var opt = new AdamW([new ParamGroup(trained.Select((p, i) => ($"p{i}", p)).ToList(), 0f)], 0.9f, 0.95f);
        var gen = new Generator(3);
        var ids = Enumerable.Range(0, batch * ctx).Select(_ => gen.NextInt(c.VocabSize)).ToArray();
        var tgt = Enumerable.Range(0, batch * ctx).Select(_ => gen.NextInt(c.VocabSize)).ToArray();
        void Step()
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var loss = DecoderModel.Loss(model.Forward(Tensor.FromArray(ids, batch, ctx)), Tensor.FromArray(tgt, batch, ctx));
            loss.Backward();
            GradClip.ClipGlobalNorm(trained, 1f);
            opt.Step(1e-3f);
        }
        Step(); Step();
        if (lora && model.NamedParameters().Any(p => !p.Param.RequiresGrad && p.Param.Grad is not null))
            throw new InvalidOperationException("lora-step: a frozen weight received a gradient.");
        var times = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            var sw = Stopwatch.StartNew();
            Step();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return batch * ctx / (times[times.Count / 2] / 1000);
    }
}
