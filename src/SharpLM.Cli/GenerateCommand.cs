// `sharplm generate --model PATH --prompt-ids 1,2,3 [sampling options]`: greedy or sampled continuation
// with the KV-cache generator; prints the generated ids and prefill/decode tokens per second. (Text prompts
// arrive with the tokenizer loaders.)
using System.CommandLine;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Models.Checkpoints;
using SharpLM.Models.Formats;

namespace SharpLM.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF folder, .gguf or llama2.c .bin.", Required = true };
        var ids = new Option<string>("--prompt-ids") { Description = "Comma-separated prompt token ids.", Required = true };
        var max = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 64 };
        var temp = new Option<float>("--temperature") { DefaultValueFactory = _ => 0f, Description = "0 = greedy." };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { DefaultValueFactory = _ => 1f };
        var minP = new Option<float>("--min-p") { DefaultValueFactory = _ => 0f };
        var rep = new Option<float>("--repetition-penalty") { DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL };
        var stop = new Option<string?>("--stop-ids") { Description = "Comma-separated stop token ids." };
        var cmd = new Command("generate", "Generate tokens from a model.") { model, ids, max, temp, topK, topP, minP, rep, seed, stop };
        cmd.SetAction(r =>
        {
            try
            {
                string path = r.GetValue(model)!;
                // GGUF files run on the GGUF-native engine (weights stay in their stored type); others on DecoderModel.
                using IDisposable owner = path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
                    ? LlamaEngine.Open(path) : new DecoderModelLm(ModelFile.Load(path));
                var lm = (ICausalLm)owner;
                var prompt = ParseIds(r.GetValue(ids)!, "--prompt-ids");
                var opts = new GenerationOptions
                {
                    MaxNewTokens = r.GetValue(max),
                    StopTokens = r.GetValue(stop) is { } s ? ParseIds(s, "--stop-ids") : [],
                    Sampling = new SamplingOptions
                    {
                        Temperature = r.GetValue(temp), TopK = r.GetValue(topK), TopP = r.GetValue(topP), MinP = r.GetValue(minP),
                        RepetitionPenalty = r.GetValue(rep), Seed = r.GetValue(seed),
                    },
                };
                var res = new TextGenerator(lm).Generate(prompt, opts);
                Console.WriteLine(string.Join(",", res.Tokens));
                Console.Error.WriteLine($"finish: {res.Finish}; prefill {res.PrefillTokensPerSecond:F1} tok/s, decode {res.DecodeTokensPerSecond:F1} tok/s");
                return 0;
            }
            catch (Exception e) when (e is ModelFormatException or FileNotFoundException or ArgumentException or FormatException or NotSupportedException or InvalidOperationException)
            {
                Console.Error.WriteLine($"generate: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }

    private static int[] ParseIds(string s, string option)
    {
        try { return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new FormatException($"{option}: expected comma-separated integers, got '{s}'."); }
    }
}
