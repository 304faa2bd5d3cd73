// AttentionBench: fused FlashAttention (FlashAttention-2 style tiled online softmax) vs the materialised
// baseline (MaterialisedAttention.cs: full T×T scores per head with vectorised dots/axpys), causal,
// forward and forward+backward, reporting time, scratch memory and the materialised/fused ratio.
// Usage: sharplm-bench attention [--t 256,512,...] [--hq 12] [--hkv 12] [--d 64] [--gqa-hkv 4] [--gqa-t 2048] [--budget-ms 1500]
using System.Diagnostics;
using SharpLM.Tensors.Cpu;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static unsafe class AttentionBench
{
    public static int Run(string[] args)
    {
        int[] ts = [256, 512, 1024, 2048, 4096];
        int hq = 12, hkv = 12, d = 64, gqaHkv = 4, gqaT = 2048;
        double budgetMs = 1500;
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"attention bench: {args[a]} needs a value");
            switch (args[a])
            {
                case "--t": ts = Next().Split(',').Select(int.Parse).ToArray(); break;
                case "--hq": hq = int.Parse(Next()); break;
                case "--hkv": hkv = int.Parse(Next()); break;
                case "--d": d = int.Parse(Next()); break;
                case "--gqa-hkv": gqaHkv = int.Parse(Next()); break;
                case "--gqa-t": gqaT = int.Parse(Next()); break;
                case "--budget-ms": budgetMs = double.Parse(Next()); break;
                default: Console.Error.WriteLine($"attention bench: unknown option {args[a]}"); return 2;
            }
        }
        int threads = WorkerPool.Shared.Threads;
        Console.WriteLine($"attention bench: causal, B=1, D={d}, threads={threads}, ISA={CpuIsa.Level} ({CpuIsa.Describe()})");
        Console.WriteLine("materialised = MaterialisedAttention (per-head T×T scores, TensorPrimitives dot/axpy, causal half only, recompute in backward)");
        Console.WriteLine("times are best-of-N in ms (shared 2-core machine, the minimum is the least noisy); scratch = bytes the kernel itself allocates (fused: tile scratch of all workers + backward per-call buffers; materialised: T·T·4 per head in flight, ×2 in backward)");
        Console.WriteLine();
        Console.WriteLine("| Hq/Hkv | T | fused fwd | mat fwd | fwd ratio | fused fwd+bwd | mat fwd+bwd | f+b ratio | fused scratch fwd / bwd | mat scratch fwd / bwd | GC alloc/call fused / mat | WS Δ fused / mat | max |Δout| |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        WarmUp(d);
        foreach (int t in ts) Row(hq, hkv, t, d, threads, budgetMs);
        if (gqaHkv > 0 && gqaHkv != hkv) Row(hq, gqaHkv, gqaT, d, threads, budgetMs);
        return 0;
    }

    private static void Row(int hq, int hkv, int t, int d, int threads, double budgetMs)
    {
        int b = 1;
        long nq = (long)b * hq * t * d, nkv = (long)b * hkv * t * d;
        var rnd = new Random(1);
        float[] Rand(long n) { var x = GC.AllocateUninitializedArray<float>((int)n, pinned: true); for (long i = 0; i < n; i++) x[i] = (float)(rnd.NextDouble() * 2 - 1); return x; }
        float[] q = Rand(nq), k = Rand(nkv), v = Rand(nkv), g = Rand(nq);
        float[] of = new float[nq], om = new float[nq], lf = new float[b * hq * t], lm = new float[b * hq * t];
        float[] dq = new float[nq], dk = new float[nkv], dv = new float[nkv];
        float scale = 1f / MathF.Sqrt(d);
        // Touch every input/output page now so the working-set delta below only shows kernel scratch.
        foreach (var a in new[] { of, om, lf, lm, dq, dk, dv }) Array.Fill(a, 1f);

        fixed (float* pq = q, pk = k, pv = v, pg = g, pof = of, pom = om, plf = lf, plm = lm, pdq = dq, pdk = dk, pdv = dv)
        {
            float* Q = pq, K = pk, V = pv, G = pg, OF = pof, OM = pom, LF = plf, LM = plm, DQ = pdq, DK = pdk, DV = pdv;
            void FusedF() => FlashAttention.Forward(Q, K, V, OF, LF, b, hq, hkv, t, t, d, scale, true, null, 0f, 0);
            void FusedFB() { FusedF(); FlashAttention.Backward(Q, K, V, OF, LF, G, DQ, DK, DV, b, hq, hkv, t, t, d, scale, true, null, 0f, 0); }
            void MatF() => MaterialisedAttention.Forward(Q, K, V, OM, LM, b, hq, hkv, t, t, d, scale, true);
            void MatFB() { MatF(); MaterialisedAttention.Backward(Q, K, V, G, DQ, DK, DV, b, hq, hkv, t, t, d, scale, true); }

            var (wsF, _) = FirstCall(FusedFB);
            var (wsM, _) = FirstCall(MatFB);
            double ff = Time(FusedF, budgetMs, out long gcF);
            double fm = Time(MatF, budgetMs, out long gcM);
            double fbf = Time(FusedFB, budgetMs, out long gcFB);
            double fbm = Time(MatFB, budgetMs, out long gcMB);

            FusedF(); MatF();
            double maxDiff = 0;
            for (long i = 0; i < nq; i++) maxDiff = Math.Max(maxDiff, Math.Abs(of[i] - om[i]));

            long sf = FlashAttention.ForwardScratchBytes(b, hkv, t, t, d, threads);
            long sb = FlashAttention.BackwardScratchBytes(b, hq, hkv, t, t, d, threads);
            long mf = MaterialisedAttention.ForwardBytes(t, t, threads), mb = MaterialisedAttention.BackwardBytes(t, t, threads);
            Console.WriteLine($"| {hq}/{hkv} | {t} | {ff:F2} | {fm:F2} | {fm / ff:F2}x | {fbf:F2} | {fbm:F2} | {fbm / fbf:F2}x | {Bytes(sf)} / {Bytes(sb)} | {Bytes(mf)} / {Bytes(mb)} | {gcFB} / {gcMB} B | {Bytes(wsF)} / {Bytes(wsM)} | {maxDiff:E1} |");
        }
    }

    /// <summary>Gets every kernel through tiered JIT (tier 0 → tier 1 with PGO) before anything is timed.</summary>
    private static void WarmUp(int d)
    {
        const int t = 160, h = 2;
        var q = new float[h * t * d]; var k = new float[h * t * d]; var v = new float[h * t * d]; var g = new float[h * t * d];
        var o = new float[h * t * d]; var l = new float[h * t]; var dq = new float[h * t * d]; var dk = new float[h * t * d]; var dv = new float[h * t * d];
        for (int i = 0; i < q.Length; i++) { q[i] = k[i] = v[i] = g[i] = (i % 7) * 0.1f; }
        fixed (float* pq = q, pk = k, pv = v, pg = g, po = o, pl = l, pdq = dq, pdk = dk, pdv = dv)
        {
            for (int round = 0; round < 3; round++)
            {
                for (int it = 0; it < 60; it++)
                {
                    FlashAttention.Forward(pq, pk, pv, po, pl, 1, h, h, t, t, d, 0.125f, true, null, 0f, 0);
                    FlashAttention.Backward(pq, pk, pv, po, pl, pg, pdq, pdk, pdv, 1, h, h, t, t, d, 0.125f, true, null, 0f, 0);
                    FlashAttention.Backward(pq, pk, pv, po, pl, pg, pdq, pdk, pdv, 1, h, 1, t, t, d, 0.125f, true, null, 0f, 0);
                    MaterialisedAttention.Forward(pq, pk, pv, po, pl, 1, h, h, t, t, d, 0.125f, true);
                    MaterialisedAttention.Backward(pq, pk, pv, pg, pdq, pdk, pdv, 1, h, h, t, t, d, 0.125f, true);
                }
                Thread.Sleep(300);
            }
        }
    }

    /// <summary>Runs the first call at this size and returns the process working-set growth it caused.</summary>
    private static (long ws, double ms) FirstCall(Action f)
    {
        GC.Collect();
        long before = Environment.WorkingSet;
        var sw = Stopwatch.StartNew();
        f();
        sw.Stop();
        return (Environment.WorkingSet - before, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// Best (minimum) wall time in ms over as many reps as fit the budget (at least 3 unless one rep already
    /// exceeds the budget, at most 25): the machine is shared, so the minimum is the least noisy statistic.
    /// Also returns the GC bytes allocated per call (all threads); the timing loop itself allocates nothing.
    /// </summary>
    private static double Time(Action f, double budgetMs, out long gcPerCall)
    {
        double best = double.MaxValue, spent = 0;
        int reps = 0;
        long gc0 = GC.GetTotalAllocatedBytes(true);
        do
        {
            long t0 = Stopwatch.GetTimestamp();
            f();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            best = Math.Min(best, ms);
            spent += ms;
            reps++;
        } while (reps < 25 && (spent < budgetMs || reps < 3) && !(reps == 1 && spent > budgetMs));
        gcPerCall = (GC.GetTotalAllocatedBytes(true) - gc0) / reps;
        return best;
    }

    private static string Bytes(long n)
    {
        double a = Math.Abs(n);
        return a >= 1 << 30 ? $"{n / (double)(1 << 30):F2} GiB" : a >= 1 << 20 ? $"{n / (double)(1 << 20):F1} MiB" : a >= 1 << 10 ? $"{n / 1024.0:F0} KiB" : $"{n} B";
    }
}
