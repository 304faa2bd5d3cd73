// GemmBench: `sharplm-bench gemm` times Sgemm against OpenBLAS (numpy, run as a subprocess in the same
// run via bench/peers/gemm_openblas.py) on square and LLM-layer shapes (forward NN plus the backward NT
// and TN products) and the LM-head GEMV, at 1 and 2 threads, and prints GFLOP/s and the ratio.
// Options: --threads 1,2   --only name1,name2   --isa avx2|scalar   --no-peer
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using SharpLM.Tensors.Cpu;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static unsafe class GemmBench
{
    private sealed record Shape(string Name, bool TA, bool TB, int M, int N, int K);

    private static readonly Shape[] Shapes =
    [
        new("512^3 NN", false, false, 512, 512, 512),
        new("1024^3 NN", false, false, 1024, 1024, 1024),
        new("2048^3 NN", false, false, 2048, 2048, 2048),
        // Layer 1: X[256,768] . W[768,3072]; backward dX = dY . W^T (NT), dW = X^T . dY (TN).
        new("fc 256x768x3072 NN", false, false, 256, 3072, 768),
        new("fc dA 256x3072x768 NT", false, true, 256, 768, 3072),
        new("fc dB 768x256x3072 TN", true, false, 768, 3072, 256),
        // Layer 2: H[256,3072] . W[3072,768]; backward NT and TN.
        new("proj 256x3072x768 NN", false, false, 256, 768, 3072),
        new("proj dA 256x768x3072 NT", false, true, 256, 3072, 768),
        new("proj dB 3072x256x768 TN", true, false, 3072, 768, 256),
        // LM head: x[1,768] . W^T with W stored [32000,768]; and the untransposed layout.
        new("gemv 1x768x32000 NT", false, true, 1, 32000, 768),
        new("gemv 1x768x32000 NN", false, false, 1, 32000, 768),
    ];

    public static int Run(string[] args)
    {
        int[] threads = [1, 2];
        string[]? only = null;
        IsaLevel level = CpuIsa.Level;
        bool peer = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--only": only = args[++i].Split(','); break;
                case "--isa": level = args[++i] == "avx2" ? IsaLevel.Avx2 : args[i] == "scalar" ? IsaLevel.Scalar : IsaLevel.Avx512; break;
                case "--no-peer": peer = false; break;
                default: Console.Error.WriteLine($"gemm bench: unknown option {args[i]}"); return 2;
            }
        }
        var shapes = only is null ? Shapes : Shapes.Where(s => only.Any(o => s.Name.Contains(o, StringComparison.OrdinalIgnoreCase))).ToArray();
        Console.WriteLine($"sharplm-bench gemm: CPU {CpuIsa.Describe()}, kernel {level}, {Environment.ProcessorCount} logical CPUs");

        var ours = new Dictionary<(string, int), double>();
        var theirs = new Dictionary<(string, int), double>();
        foreach (int t in threads)
        {
            WorkerPool.SetThreads(t);
            foreach (var s in shapes) ours[(s.Name, t)] = Measure(s, level);
            if (peer)
                foreach (var (name, gf) in RunPeer(shapes, t)) theirs[(name, t)] = gf;
        }

        Console.WriteLine();
        Console.WriteLine($"| {"shape (MxKxN, op)",-26} | threads | SharpLM GFLOP/s | OpenBLAS GFLOP/s | ratio |");
        Console.WriteLine($"|{new string('-', 28)}|---------|-----------------|------------------|-------|");
        foreach (var s in shapes)
            foreach (int t in threads)
            {
                double o = ours[(s.Name, t)];
                string p = theirs.TryGetValue((s.Name, t), out double g) ? g.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
                string r = theirs.ContainsKey((s.Name, t)) ? (o / g).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
                Console.WriteLine($"| {s.Name,-26} | {t,7} | {o,15:F1} | {p,16} | {r,5} |");
            }
        return 0;
    }

    private static double Measure(Shape s, IsaLevel level)
    {
        long aLen = (long)s.M * s.K, bLen = (long)s.K * s.N, cLen = (long)s.M * s.N;
        float* a = Alloc(aLen), b = Alloc(bLen), c = Alloc(cLen);
        try
        {
            var rng = new Random(1);
            for (long i = 0; i < aLen; i++) a[i] = (float)(rng.NextDouble() - 0.5);
            for (long i = 0; i < bLen; i++) b[i] = (float)(rng.NextDouble() - 0.5);
            int lda = s.TA ? s.M : s.K, ldb = s.TB ? s.K : s.N;
            void Once() => Sgemm.RunWithLevel(level, s.TA, s.TB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N, false);
            Once(); Once();
            var times = new List<double>();
            var total = Stopwatch.StartNew();
            while (times.Count < 5 || (total.Elapsed.TotalSeconds < 0.4 && times.Count < 60))
            {
                long t0 = Stopwatch.GetTimestamp();
                Once();
                times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            times.Sort();
            double med = times[times.Count / 2];
            return 2.0 * s.M * s.N * s.K / med / 1e9;
        }
        finally
        {
            NativeMemory.AlignedFree(a); NativeMemory.AlignedFree(b); NativeMemory.AlignedFree(c);
        }
    }

    private static float* Alloc(long n) => (float*)NativeMemory.AlignedAlloc((nuint)(n * sizeof(float)), 64);

    private static List<(string, double)> RunPeer(Shape[] shapes, int threads)
    {
        var results = new List<(string, double)>();
        string script = FindScript();
        var psi = new ProcessStartInfo("/usr/bin/python3", script)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var proc = Process.Start(psi)!;
            proc.StandardInput.Write(JsonSerializer.Serialize(shapes.Select(s => new { name = s.Name, ta = s.TA, tb = s.TB, m = s.M, n = s.N, k = s.K })));
            proc.StandardInput.Close();
            var errTask = proc.StandardError.ReadToEndAsync();
            string? line;
            while ((line = proc.StandardOutput.ReadLine()) != null)
            {
                using var doc = JsonDocument.Parse(line);
                results.Add((doc.RootElement.GetProperty("name").GetString()!, doc.RootElement.GetProperty("gflops").GetDouble()));
            }
            proc.WaitForExit();
            foreach (var l in errTask.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine(l);
            if (proc.ExitCode != 0) Console.WriteLine($"[peer] exited with code {proc.ExitCode}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"[peer] could not run OpenBLAS peer ({e.Message}); run bench/run-gemm.sh to install it.");
        }
        return results;
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "bench", "peers", "gemm_openblas.py");
            if (File.Exists(p)) return p;
        }
        return Path.Combine("bench", "peers", "gemm_openblas.py");
    }
}
