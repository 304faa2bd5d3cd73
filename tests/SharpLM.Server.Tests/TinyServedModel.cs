// TinyServedModel: the model the server tests serve — the PyTorch-checked llama_gqa weights (tests/SharpLM.Models.Tests
// /Fixtures) in a folder of their own with max_position_embeddings raised to 8192 (RoPE runs at any position), so
// long prompts and long generations fit, and a 64-character vocabulary as tokenizer.json (one id per model logit),
// so text and token ids correspond one to one. Offline generates the reference answers with the library's own path
// (ModelOpener + TextGenerator on a one-slot engine), which the server's answers must equal token for token.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Loading;
using SharpLM.Inference.Sampling;
using SharpLM.Text.ChatTemplates;
using SharpLM.TestSupport;

namespace SharpLM.Server.Tests;

public static class TinyServedModel
{
    /// <summary>The 64 characters of the vocabulary (enough for ChatML's markers, lowercase text and JSON).</summary>
    public const string Chars = "abcdefghijklmnopqrstuvwxyz0123456789 \n<|_>{}\":,[].!?-'+*/=()#@&;";

    private static readonly Lazy<string> Dir = new(Build);

    /// <summary>The model folder (built once per test run under the temp folder).</summary>
    public static string Path => Dir.Value;

    private static string Build()
    {
        string src = System.IO.Path.Combine(RepoPaths.Root, "tests", "SharpLM.Models.Tests", "Fixtures", "llama_gqa");
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharplm-serve-" + Guid.NewGuid().ToString("N")[..8], "tiny");
        Directory.CreateDirectory(dir);
        File.Copy(System.IO.Path.Combine(src, "model.safetensors"), System.IO.Path.Combine(dir, "model.safetensors"));
        var config = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(src, "config.json")))!.AsObject();
        config["max_position_embeddings"] = 8192;
        File.WriteAllText(System.IO.Path.Combine(dir, "config.json"), config.ToJsonString());
        if (Chars.Length != 64 || Chars.Distinct().Count() != 64) throw new InvalidOperationException("TinyServedModel: the vocabulary must be 64 distinct characters.");
        File.WriteAllText(System.IO.Path.Combine(dir, "tokenizer.json"), JsonSerializer.Serialize(new { type = "char", chars = Chars.Select(c => (int)c).ToArray() }));
        return dir;
    }

    private static readonly Lazy<OpenedModel> Reference = new(() => ModelOpener.Open(Path, new ModelOpenOptions { Tokenizer = TokenizerUse.Required }));
    private static readonly object Lock = new();

    /// <summary>The chat prompt as the server renders it (the model's template with the generation prompt).</summary>
    public static string ChatPrompt(string system, string user) =>
        Reference.Value.Template.Render([ChatMessage.System(system), ChatMessage.User(user)], addGenerationPrompt: true).Text;

    /// <summary>What `generate` gives offline for <paramref name="prompt"/>: the text and the token ids.</summary>
    public static (string Text, int[] Tokens, FinishReason Finish) Generate(string prompt, int maxTokens, float temperature = 0, ulong seed = 0, string[]? stop = null)
    {
        lock (Lock)
        {
            var m = Reference.Value;
            var opts = new GenerationOptions
            {
                MaxNewTokens = maxTokens, StopStrings = stop ?? [], Detokenize = m.Tokenizer!.Decode,
                Sampling = new SamplingOptions { Temperature = temperature, Seed = seed },
            };
            var r = new TextGenerator(m.Lm).Generate(m.Tokenizer.Encode(prompt), opts);
            return (r.Text!, r.Tokens, r.Finish);
        }
    }

    /// <summary>Ids of <paramref name="text"/> in the vocabulary.</summary>
    public static int[] Encode(string text) => Reference.Value.Tokenizer!.Encode(text);
}
