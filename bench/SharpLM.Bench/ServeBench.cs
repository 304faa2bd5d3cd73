// ServeBench: `sharplm-bench serve` — our OpenAI-compatible server (SharpLmServer, in this process) against
// llama.cpp's llama-server on the same GGUF, each loaded by N = 1, 8, 32 concurrent streaming clients of the
// official `openai` npm client (bench/serve/serve_load.mjs; run `npm install` in bench/serve first). Both servers
// get the same threads, --parallel = the largest N and the same context per sequence; requests are greedy with
// ignore_eos so every answer has --tokens tokens. Prints generated tokens/s (all clients), time to first token
// and inter-token latency p50/p99, and the ratios ours / llama-server (throughput: higher is better; latency: lower).
// Options: --model PATH (GGUF; default the ≈134M Q4_0 file of `decode`)  --llama-server PATH
//          (default /work/peers/llama.cpp/build/bin/llama-server; missing = ours only)  --clients 1,8,32
//          --requests 2 (per client)  --tokens 64  --threads 2  --ctx 512 (per sequence)
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using SharpLM.Formats.Gguf;
using SharpLM.Server;
using SharpLM.Tensors.Threading;

namespace SharpLM.Bench;

internal static class ServeBench
{
    private sealed record Load(double TokensPerSecond, double TtftP50, double TtftP99, double ItlP50, double ItlP99, int Errors, long Tokens);

    public static int Run(string[] args)
    {
        string Opt(string name, string def) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : def; }
        string model = Opt("--model", DecodeBench.ModelFiles(Path.Combine(Path.GetTempPath(), "sharplm-decode"), [GgmlType.Q4_0])[GgmlType.Q4_0]);
        string llama = Opt("--llama-server", "/work/peers/llama.cpp/build/bin/llama-server");
        var clients = Opt("--clients", "1,8,32").Split(',').Select(int.Parse).ToArray();
        int requests = int.Parse(Opt("--requests", "2")), tokens = int.Parse(Opt("--tokens", "64"));
        int threads = int.Parse(Opt("--threads", "2")), ctx = int.Parse(Opt("--ctx", "512"));
        int parallel = clients.Max();
        string script = Path.Combine(RepoRoot(), "bench", "serve", "serve_load.mjs");
        if (!Directory.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules", "openai")))
        {
            Console.Error.WriteLine($"serve: run `npm install` in {Path.GetDirectoryName(script)} first (the openai npm client).");
            return 2;
        }
        Console.WriteLine($"model {model}, {threads} thread(s), --parallel {parallel}, {ctx} positions per sequence, {requests} request(s) per client, {tokens} tokens each, greedy");

        WorkerPool.SetThreads(threads);
        var ours = new Dictionary<int, Load>();
        var server = SharpLmServer.StartAsync(new ServerOptions
        {
            ModelPath = model, ModelName = "bench", Port = 0, Parallel = parallel, ContextSize = ctx, MaxQueue = 4 * parallel,
        }).GetAwaiter().GetResult();
        try
        {
            foreach (var n in clients) ours[n] = Drive(script, new Uri(server.BaseAddress, "v1").ToString(), n, requests, tokens);
        }
        finally { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }

        var peer = new Dictionary<int, Load>();
        if (File.Exists(llama))
        {
            int port = FreePort();
            var psi = new ProcessStartInfo(llama, ["-m", model, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
                "-t", threads.ToString(CultureInfo.InvariantCulture), "-np", parallel.ToString(CultureInfo.InvariantCulture),
                "-c", (ctx * parallel).ToString(CultureInfo.InvariantCulture), "--no-webui"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, _) => { }; p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine(); p.BeginErrorReadLine();
            try
            {
                WaitHealthy($"http://127.0.0.1:{port}/health", p);
                foreach (var n in clients) peer[n] = Drive(script, $"http://127.0.0.1:{port}/v1", n, requests, tokens);
            }
            finally { p.Kill(entireProcessTree: true); p.WaitForExit(); }
        }
        else Console.WriteLine($"(no llama-server at {llama}: ours only)");

        Console.WriteLine("| clients | ours tok/s | llama-server tok/s | ratio | TTFT p50 ms ours / llama (ratio) | TTFT p99 ms ours / llama | ITL p50 ms ours / llama (ratio) | ITL p99 ms ours / llama | errors ours / llama |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var n in clients)
        {
            var o = ours[n];
            var l = peer.GetValueOrDefault(n);
            string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F1", CultureInfo.InvariantCulture);
            string R(double a, double b) => l is null || b == 0 ? "-" : (a / b).ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {n} | {F(o.TokensPerSecond)} | {(l is null ? "-" : F(l.TokensPerSecond))} | {R(o.TokensPerSecond, l?.TokensPerSecond ?? 0)} | " +
                $"{F(o.TtftP50)} / {(l is null ? "-" : F(l.TtftP50))} ({R(o.TtftP50, l?.TtftP50 ?? 0)}) | {F(o.TtftP99)} / {(l is null ? "-" : F(l.TtftP99))} | " +
                $"{F(o.ItlP50)} / {(l is null ? "-" : F(l.ItlP50))} ({R(o.ItlP50, l?.ItlP50 ?? 0)}) | {F(o.ItlP99)} / {(l is null ? "-" : F(l.ItlP99))} | {o.Errors} / {(l is null ? "-" : l.Errors)} |");
        }
        return 0;
    }

    /// <summary>Runs the npm load generator against <paramref name="baseUrl"/> and parses its JSON line.</summary>
    private static Load Drive(string script, string baseUrl, int clients, int requests, int tokens)
    {
        var psi = new ProcessStartInfo("node", [script, baseUrl, "bench", clients.ToString(CultureInfo.InvariantCulture),
            requests.ToString(CultureInfo.InvariantCulture), tokens.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"serve_load.mjs failed ({p.ExitCode}): {err.Result}");
        var j = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        double D(string k) => j.GetProperty(k).ValueKind == JsonValueKind.Number ? j.GetProperty(k).GetDouble() : double.NaN;
        var load = new Load(D("tokens_per_second"), D("ttft_p50_ms"), D("ttft_p99_ms"), D("itl_p50_ms"), D("itl_p99_ms"), j.GetProperty("errors").GetInt32(), j.GetProperty("tokens").GetInt64());
        Console.Error.WriteLine($"  {baseUrl} N={clients}: {load.TokensPerSecond:F1} tok/s, {load.Tokens} tokens, TTFT p50 {load.TtftP50:F1} ms, ITL p50 {load.ItlP50:F1} ms, {load.Errors} errors");
        return load;
    }

    private static void WaitHealthy(string url, Process p)
    {
        using var http = new HttpClient();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (p.HasExited) throw new InvalidOperationException($"llama-server exited with {p.ExitCode} before it was healthy.");
            try { if (http.GetAsync(url).GetAwaiter().GetResult().IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"llama-server did not answer {url} within 2 minutes.");
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SharpLM.slnx"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
