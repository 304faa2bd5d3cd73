// LlamaCppInterop: `sharplm-bench llamacpp-interop [--families llama,qwen2,qwen3,gpt2,baichuan7b,baichuan13b]` — writes a
// random-weight model of each family as GGUF with SharpLM's writer (F32 and F16; Q8_0 reported), lets llama.cpp
// (npm node-llama-cpp, prebuilt) load it and decode 32 tokens greedily from a fixed prompt, and compares
// llama.cpp's tokens with SharpLM's engine on the same file. llama.cpp's Baichuan picks RoPE or ALiBi by the
// layer count (32 → 7B, 40 → 13B), so those two have their real depths at a tiny width.
// Needs `npm install` in bench/interop (bench/run-interop.sh does it).
using System.Diagnostics;
using System.Text.Json;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Models.Families;
using SharpLM.Models.Checkpoints;
using SharpLM.Formats.Gguf;
using SharpLM.Models.Formats.Gguf;
using SharpLM.Models.Transformer;

namespace SharpLM.Bench;

internal static class LlamaCppInterop
{
    private static readonly DecoderConfig Llama = new()
    {
        Family = ModelFamily.Llama, VocabSize = 512, Dim = 128, Layers = 2, Heads = 4, KvHeads = 2, FfnDim = 256,
        MaxPositions = 256, NormEps = 1e-5f, InitStd = 0.3f,
    };

    private static readonly Dictionary<string, DecoderConfig> Families = new()
    {
        ["llama"] = Llama,
        ["qwen2"] = Llama with { QkvBias = true, RopeTheta = 1e6f, NormEps = 1e-6f },
        ["qwen3"] = Llama with { ExplicitHeadDim = 64, QkHeadNorm = true, RopeTheta = 1e6f, NormEps = 1e-6f },
        ["gpt2"] = DecoderPresets.TinyGpt2 with { VocabSize = 512, Dim = 128, Heads = 4, KvHeads = 4, FfnDim = 512, MaxPositions = 256, InitStd = 0.3f },
        ["baichuan7b"] = Llama with { Family = ModelFamily.Baichuan, Layers = 32, Dim = 64, KvHeads = 4, FfnDim = 128, InitStd = 0.2f },
        ["baichuan13b"] = Llama with { Family = ModelFamily.Baichuan, Layers = 40, Dim = 64, KvHeads = 4, FfnDim = 128, InitStd = 0.2f, Positions = PositionKind.Alibi },
    };

    public static int Run(string[] args)
    {
        int at = Array.IndexOf(args, "--families");
        var names = at >= 0 ? args[at + 1].Split(',') : Families.Keys.ToArray();
        var dir = Path.Combine(Path.GetTempPath(), "sharplm-interop");
        Directory.CreateDirectory(dir);
        int[] prompt = [1, 300, 301, 302, 303, 304];
        int failures = 0;
        foreach (var name in names)
        {
            var config = Families.TryGetValue(name, out var c) ? c : throw new ArgumentException($"--families: unknown family '{name}' (known: {string.Join(", ", Families.Keys)}).");
            using var model = new DecoderModel(config, seed: 42);
            foreach (var type in new[] { GgmlType.F32, GgmlType.F16, GgmlType.Q8_0 })
            {
                var path = Path.Combine(dir, $"random-{name}-{type}.gguf");
                ModelFile.Save(model, path, ModelFileFormat.Gguf, type);
                using var engine = DecoderEngine.Open(path); // SharpLM's engine reads the same file llama.cpp reads
                var ours = new TextGenerator(engine).Generate(prompt, new GenerationOptions { MaxNewTokens = 32 }).Tokens;
                int[] theirs;
                try { theirs = LlamaCpp(path, prompt, 32); }
                catch (InvalidOperationException e) { Console.WriteLine($"{name,-11} {type,-5} llama.cpp FAILED to load/run: {e.Message.Split('\n')[0]}"); failures++; continue; }
                int agree = ours.Zip(theirs).TakeWhile(p => p.First == p.Second).Count();
                bool equal = ours.SequenceEqual(theirs);
                if (!equal && type != GgmlType.Q8_0) failures++;
                Console.WriteLine($"{name,-11} {type,-5} greedy 32 tokens: {(equal ? "IDENTICAL" : $"first {agree} equal")}");
                Console.WriteLine($"   SharpLM  : {string.Join(",", ours)}");
                Console.WriteLine($"   llama.cpp: {string.Join(",", theirs)}");
            }
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
