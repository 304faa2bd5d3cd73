// LlamaCppInterop: `sharplm-bench llamacpp-interop` — writes a random-weight LLaMA (GQA) as GGUF with
// SharpLM's writer (F32 and F16), lets llama.cpp (npm node-llama-cpp, prebuilt) load it and decode 32 tokens
// greedily from a fixed prompt, and compares llama.cpp's tokens with SharpLM's on the same file.
// Needs `npm install` in bench/interop (bench/run-interop.sh does it).
using System.Diagnostics;
using System.Text.Json;
using SharpLM.Inference.Generation;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Bench;

internal static class LlamaCppInterop
{
    public static int Run(string[] args)
    {
        var config = new DecoderConfig
        {
            Family = ModelFamily.Llama, VocabSize = 512, Dim = 128, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 256,
            MaxPositions = 256, NormEps = 1e-5f, InitStd = 0.3f,
        };
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-interop");
        Directory.CreateDirectory(dir);
        using var model = new DecoderModel(config, seed: 42);
        int[] prompt = [1, 300, 301, 302, 303, 304];
        int failures = 0;
        foreach (var type in new[] { GgmlType.F32, GgmlType.F16, GgmlType.Q8_0 })
        {
            var path = Path.Combine(dir, $"random-llama-{type}.gguf");
            ModelFile.Save(model, path, ModelFileFormat.Gguf, type);
            using var loaded = ModelFile.Load(path); // SharpLM reads the same file llama.cpp reads
            var ours = new TextGenerator(loaded).Generate(prompt, new GenerationOptions { MaxNewTokens = 32 }).Tokens;
            var theirs = LlamaCpp(path, prompt, 32);
            int agree = ours.Zip(theirs).TakeWhile(p => p.First == p.Second).Count();
            bool equal = ours.SequenceEqual(theirs);
            if (!equal && type != GgmlType.Q8_0) failures++;
            Console.WriteLine($"{type,-5} greedy 32 tokens: {(equal ? "IDENTICAL" : $"first {agree} equal")}");
            Console.WriteLine($"   SharpLM  : {string.Join(",", ours)}");
            Console.WriteLine($"   llama.cpp: {string.Join(",", theirs)}");
        }
        return failures == 0 ? 0 : 1;
    }

    private static int[] LlamaCpp(string model, int[] prompt, int n)
    {
        var script = Path.GetFullPath(Path.Combine("bench", "interop", "llamacpp_greedy.mjs"));
        var psi = new ProcessStartInfo("node", [script, model, string.Join(",", prompt), n.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"llama.cpp peer failed ({p.ExitCode}): {stderr}");
        var line = stdout.Split('\n').Last(l => l.TrimStart().StartsWith('{'));
        return JsonDocument.Parse(line).RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }
}
