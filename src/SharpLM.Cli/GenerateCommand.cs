// `sharplm generate --model PATH (--prompt TEXT | --prompt-ids 1,2,3) [sampling options]`: greedy or sampled
// continuation with the KV-cache generator (GGUF files on the GGUF-native engine); prints the text (with the
// model's tokenizer) or the ids, and prefill/decode tokens per second. `sharplm chat` reuses OpenModel.
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
        var text = new Option<string?>("--prompt") { Description = "Prompt text (encoded with the model's tokenizer)." };
        var ids = new Option<string?>("--prompt-ids") { Description = "Comma-separated prompt token ids (instead of --prompt)." };
        var max = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 64 };
        var temp = new Option<float>("--temperature") { DefaultValueFactory = _ => 0f, Description = "0 = greedy." };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { DefaultValueFactory = _ => 1f };
        var minP = new Option<float>("--min-p") { DefaultValueFactory = _ => 0f };
        var rep = new Option<float>("--repetition-penalty") { DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL };
        var stop = new Option<string?>("--stop-ids") { Description = "Comma-separated stop token ids." };
        var cmd = new Command("generate", "Generate text (or tokens) from a model.") { model, text, ids, max, temp, topK, topP, minP, rep, seed, stop };
        cmd.SetAction(r =>
        {
            try
            {
                string path = r.GetValue(model)!;
                if ((r.GetValue(text) is null) == (r.GetValue(ids) is null)) throw new ArgumentException("give exactly one of --prompt and --prompt-ids.");
                using var owner = OpenModel(path);
                var lm = (ICausalLm)owner;
                ModelTokenizer? tok = r.GetValue(text) is not null ? ModelTokenizer.For(path) : null;
                var prompt = tok is not null ? tok.Encode(r.GetValue(text)!) : ParseIds(r.GetValue(ids)!, "--prompt-ids");
                var opts = new GenerationOptions
                {
                    MaxNewTokens = r.GetValue(max),
                    StopTokens = r.GetValue(stop) is { } s ? ParseIds(s, "--stop-ids") : tok?.Eos is { } eos ? [eos] : [],
                    Sampling = new SamplingOptions
                    {
                        Temperature = r.GetValue(temp), TopK = r.GetValue(topK), TopP = r.GetValue(topP), MinP = r.GetValue(minP),
                        RepetitionPenalty = r.GetValue(rep), Seed = r.GetValue(seed),
                    },
                };
                var res = new TextGenerator(lm).Generate(prompt, opts);
                Console.WriteLine(tok is not null ? tok.Decode([.. prompt, .. res.Tokens]) : string.Join(",", res.Tokens));
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

    /// <summary>GGUF files run on the GGUF-native engine (weights stay in their stored type); others on DecoderModel.</summary>
    public static IDisposable OpenModel(string path) =>
        ModelFile.Detect(path) == ModelFileFormat.Gguf ? LlamaEngine.Open(path) : new DecoderModelLm(ModelFile.Load(path));

    private static int[] ParseIds(string s, string option)
    {
        try { return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new FormatException($"{option}: expected comma-separated integers, got '{s}'."); }
    }
}
