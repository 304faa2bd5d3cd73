// NativeLlamaCpp: llama.cpp's own command-line tools, built from source (DEVELOPERS.md), as the decode peer —
// `llama-bench` timing prompt processing (-p), token generation from an empty cache (-n) and prompt + generation
// (-pg D,N, from which N tokens decoded at cache depth D = N / (t(pg) − t(pp D)), as this llama.cpp version has no
// depth option), and `llama-quantize` making the bench's GGUF files from SharpLM's F32 file with llama.cpp's own
// quantisers (F16, Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K).
using System.Diagnostics;
using System.Text.Json;

namespace SharpLM.Bench;

internal static class NativeLlamaCpp
{
    /// <summary>One llama-bench invocation's figures (tokens/s); DepthDecode is NaN without a depth.</summary>
    public readonly record struct Result(double Prefill, double Decode, double DepthDecode);

    /// <summary>
    /// Runs <paramref name="llamaBench"/> once (-r 1, its own warm-up) on <paramref name="model"/>: pp<paramref name="prompt"/>,
    /// tg<paramref name="gen"/> and, when <paramref name="depth"/> &gt; 0, pg(depth, gen) with pp(depth).
    /// </summary>
    public static Result Bench(string llamaBench, string model, int threads, int prompt, int gen, int depth)
    {
        var args = new List<string> { "-m", model, "-t", threads.ToString(), "-r", "1", "-o", "json", "-n", gen.ToString(),
                                      "-p", depth > 0 && depth != prompt ? $"{prompt},{depth}" : prompt.ToString() };
        if (depth > 0) args.AddRange(["-pg", $"{depth},{gen}"]);
        var json = Run(llamaBench, args);
        var tests = JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(e => (P: e.GetProperty("n_prompt").GetInt32(), G: e.GetProperty("n_gen").GetInt32(), Ns: e.GetProperty("avg_ns").GetDouble())).ToList();
        double Ns(int p, int g) => tests.FirstOrDefault(t => t.P == p && t.G == g) is { Ns: > 0 } t ? t.Ns
            : throw new InvalidOperationException($"llama-bench printed no test with n_prompt {p}, n_gen {g}: {json}");
        double depthDecode = depth > 0 ? gen / ((Ns(depth, gen) - Ns(depth, 0)) / 1e9) : double.NaN;
        return new(prompt / (Ns(prompt, 0) / 1e9), gen / (Ns(0, gen) / 1e9), depthDecode);
    }

    /// <summary>Writes <paramref name="output"/> from <paramref name="input"/> with llama-quantize's <paramref name="ftype"/> (e.g. Q4_K_M).</summary>
    public static void Quantize(string llamaQuantize, string input, string output, string ftype)
    {
        string tmp = output + ".tmp";
        Run(llamaQuantize, [input, tmp, ftype]);
        File.Move(tmp, output, overwrite: true);
    }

    private static string Run(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', psi.ArgumentList)} failed ({p.ExitCode}): {err.Result.Split('\n').LastOrDefault(l => l.Length > 0)}");
        return stdout;
    }
}
