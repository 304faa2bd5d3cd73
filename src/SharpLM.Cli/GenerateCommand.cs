// `sharplm generate --model PATH (--prompt TEXT | --prompt-ids 1,2,3 | --prompt-file FILE [--batch N]) [sampling
// options]`: greedy or sampled continuation with the KV-cache generator; prints the text (with the model's
// tokenizer) or the ids, and prefill/decode tokens per second. A prompt file (one prompt per line) runs as one
// batch on an executor with N cache slots (TextGenerator.GenerateBatch). `--beams N [--length-penalty P]` runs
// beam search instead (BeamSearch with one slot per beam, so all beams advance in one batched pass per step):
// the best hypothesis to stdout, every hypothesis's score to stderr. The model is opened by ModelOpener
// (DecoderEngine for GGUF and, from memory, for HF folders and llama2.c files); `sharplm chat` reuses Open.
// `--adapter DIR` (repeatable) merges PEFT adapters into the f32 weights before the engine is built.
using System.CommandLine;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Loading;
using SharpLM.Inference.Sampling;
using SharpLM.Cli.Common;
using SharpLM.Text.Formats;

namespace SharpLM.Cli;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("HF folder, .gguf or llama2.c .bin.");
        var text = new Option<string?>("--prompt") { Description = "Prompt text (encoded with the model's tokenizer)." };
        var ids = new Option<string?>("--prompt-ids") { Description = "Comma-separated prompt token ids (instead of --prompt)." };
        var file = new Option<string?>("--prompt-file") { Description = "UTF-8 file with one prompt per line (blank lines skipped), generated as one batch." };
        var batch = CliOptions.AtLeast(new Option<int?>("--batch") { Description = $"With --prompt-file: most sequences decoded together (default: the number of prompts, at most {DefaultBatch})." }, 1);
        var max = CliOptions.AtLeast(new Option<int>("--max-tokens") { DefaultValueFactory = _ => 64, Description = "Most new tokens to generate." }, 1);
        var temp = CliOptions.AtLeast(new Option<float>("--temperature") { DefaultValueFactory = _ => 0f, Description = "Sampling temperature; 0 = greedy." }, 0);
        var topK = CliOptions.AtLeast(new Option<int>("--top-k") { DefaultValueFactory = _ => 0, Description = "Sample among the K most likely tokens; 0 = all." }, 0);
        var topP = CliOptions.Range(new Option<float>("--top-p") { DefaultValueFactory = _ => 1f, Description = "Nucleus sampling: the smallest set of tokens with this much probability, in (0, 1]." }, 0, 1, minExclusive: true);
        var minP = CliOptions.Range(new Option<float>("--min-p") { DefaultValueFactory = _ => 0f, Description = "Drop tokens less likely than this fraction of the most likely one, in [0, 1]." }, 0, 1);
        var rep = CliOptions.Positive(new Option<float>("--repetition-penalty") { DefaultValueFactory = _ => 1f, Description = "Divide the logits of tokens already present by this (CTRL); 1 = off." });
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL, Description = "Sampling seed." };
        var stop = new Option<string?>("--stop-ids") { Description = "Comma-separated stop token ids." };
        var stopText = new Option<string[]>("--stop") { Description = "Stop string (repeatable): the text ends before its first occurrence.", AllowMultipleArgumentsPerToken = false };
        var beams = CliOptions.AtLeast(new Option<int?>("--beams") { Description = "Beam search with N beams (deterministic; not with sampling or --prompt-file)." }, 1);
        var lengthPenalty = new Option<float>("--length-penalty") { DefaultValueFactory = _ => 1f, Description = "With --beams: hypothesis score = Σ log p / length^P." };
        var kv = KvTypeOption();
        var threads = CliOptions.Threads("Threads for the matmuls and attention (default: all cores).");
        var ctx = CtxSizeOption();
        var adapters = AdapterOption();
        var cmd = new Command("generate", "Generate text (or tokens) from a model.") { model, text, ids, file, batch, max, temp, topK, topP, minP, rep, seed, stop, stopText, beams, lengthPenalty, kv, threads, ctx, adapters };
        cmd.SetAction(r =>
        {
            try
            {
                string path = r.GetValue(model)!;
                var kvType = ParseKvType(r.GetValue(kv)!);
                int? ctxSize = CheckCtxSize(r.GetValue(ctx));
                var adapterDirs = r.GetValue(adapters) ?? [];
                UseThreads(r.GetValue(threads));
                if (new[] { r.GetValue(text), r.GetValue(ids), r.GetValue(file) }.Count(v => v is not null) != 1)
                    throw new ArgumentException("give exactly one of --prompt, --prompt-ids and --prompt-file.");
                if (r.GetValue(batch) is { } b0 && (b0 < 1 || r.GetValue(file) is null))
                    throw new ArgumentException($"--batch needs --prompt-file and a value of at least 1, got {b0}.");
                ModelTokenizer? tok = r.GetValue(ids) is null ? ModelOpener.OpenTokenizer(path) : null; // the prompt's length sizes the cache
                var stops = r.GetValue(stopText) ?? [];
                if (stops.Length > 0 && tok is null) throw new ArgumentException("--stop needs text output: use --prompt or --prompt-file (the model's tokenizer), not --prompt-ids.");
                var opts = new GenerationOptions
                {
                    MaxNewTokens = r.GetValue(max),
                    StopStrings = stops,
                    Detokenize = tok is null ? null : tok.Decode,
                    StopTokens = r.GetValue(stop) is { } s ? ParseIds(s, "--stop-ids") : tok?.Eos is { } eos ? [eos] : [],
                    Sampling = new SamplingOptions
                    {
                        Temperature = r.GetValue(temp), TopK = r.GetValue(topK), TopP = r.GetValue(topP), MinP = r.GetValue(minP),
                        RepetitionPenalty = r.GetValue(rep), Seed = r.GetValue(seed),
                    },
                };
                if (r.GetValue(beams) is not null && (r.GetValue(file) is not null || opts.Sampling.Temperature != 0))
                    throw new ArgumentException("--beams is deterministic beam search over one prompt: give --prompt or --prompt-ids, and no --temperature.");
                if (r.GetValue(beams) is not null && stops.Length > 0)
                    throw new ArgumentException("--stop is not supported with --beams (beam search ends hypotheses on stop ids: --stop-ids).");
                if (r.GetValue(beams) is null && r.GetValue(lengthPenalty) != 1f)
                    throw new ArgumentException("--length-penalty needs --beams.");
                if (r.GetValue(file) is { } promptFile) return RunBatch(path, PromptFile.Read(promptFile, tok!.Encode), r.GetValue(batch), tok, opts, kvType, ctxSize, adapterDirs);
                var prompt = tok is not null ? tok.Encode(r.GetValue(text)!) : ParseIds(r.GetValue(ids)!, "--prompt-ids");
                if (r.GetValue(beams) is { } beamCount) return RunBeams(path, prompt, beamCount, r.GetValue(lengthPenalty), tok, opts, kvType, ctxSize, adapterDirs);
                using var opened = Open(path, 1, ctxSize ?? prompt.Length + opts.MaxNewTokens, kvType, ctxSize: ctxSize, adapters: adapterDirs);
                opts.Validate(opened.Lm.VocabSize, opened.Lm.ContextLength, prompt.Length); // before the prompt is echoed
                if (tok is not null) Console.Write(tok.Decode(prompt));
                // Text is printed as it becomes final (incremental detokenisation, cut before a stop string).
                var res = new TextGenerator(opened.Lm).Generate(prompt, opts, onText: tok is null ? null : Console.Write);
                Console.WriteLine(tok is not null ? "" : string.Join(",", res.Tokens));
                Console.Error.WriteLine($"finish: {res.Finish}; prefill {res.PrefillTokensPerSecond:F1} tok/s, decode {res.DecodeTokensPerSecond:F1} tok/s");
                return 0;
            }
            catch (Exception e) when (ModelOpener.IsBadInput(e) || e is InvalidOperationException)
            {
                return CliError.Print("generate", e);
            }
        });
        return cmd;
    }

    private const int DefaultBatch = 16;

    /// <summary>Generates every prompt of the file as one batch and prints each completion, then aggregate throughput.</summary>
    private static int RunBatch(string path, PromptFile prompts, int? batch, ModelTokenizer tok, GenerationOptions opts, KvCacheType kvType, int? ctxSize, string[] adapters)
    {
        int slots = batch ?? Math.Min(prompts.Prompts.Count, DefaultBatch);
        using var opened = Open(path, slots, ctxSize ?? prompts.Prompts.Max(p => p.Ids.Length) + opts.MaxNewTokens, kvType, ctxSize: ctxSize, adapters: adapters);
        var lm = opened.Lm;
        prompts.CheckFits(lm.ContextLength, opts.MaxNewTokens);
        var ids = prompts.Prompts.Select(p => (IReadOnlyList<int>)p.Ids).ToArray();
        var gen = new TextGenerator(lm);
        var res = gen.GenerateBatch(ids, TextGenerator.PerPrompt(opts, ids.Length));
        for (int i = 0; i < ids.Length; i++)
        {
            Console.WriteLine($"=== prompt {i + 1} ({prompts.Path}:{prompts.Prompts[i].Line}), {res.Results[i].Tokens.Length} tokens, finish: {res.Results[i].Finish} ===");
            Console.WriteLine(tok.Decode(ids[i].ToArray()) + res.Results[i].Text);
        }
        Console.Error.WriteLine($"{ids.Length} prompts, {lm.MaxSequences} at a time; prefill {res.PrefillTokensPerSecond:F1} tok/s, decode {res.DecodeTokensPerSecond:F1} tok/s (summed over sequences)");
        return 0;
    }

    /// <summary>Beam search on a model with one cache slot per beam; prints the best hypothesis, then every hypothesis's score to stderr.</summary>
    private static int RunBeams(string path, int[] prompt, int beams, float lengthPenalty, ModelTokenizer? tok, GenerationOptions opts, KvCacheType kvType, int? ctxSize, string[] adapters)
    {
        if (beams < 1) throw new ArgumentException($"--beams must be at least 1, got {beams}.");
        using var opened = Open(path, beams, ctxSize ?? prompt.Length + opts.MaxNewTokens, kvType, ctxSize: ctxSize, adapters: adapters);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var hyps = new BeamSearch(opened.Lm).Run(prompt, beams, opts.MaxNewTokens, lengthPenalty, opts.StopTokens);
        var best = hyps[0].Tokens;
        Console.WriteLine(tok is not null ? tok.Decode([.. prompt, .. best]) : string.Join(",", best));
        for (int i = 0; i < hyps.Count; i++)
            Console.Error.WriteLine($"beam {i + 1}: score {hyps[i].Score:F4} (sum log p {hyps[i].SumLogProb:F4}, {hyps[i].Tokens.Length} tokens){(tok is not null ? "" : ": " + string.Join(",", hyps[i].Tokens))}");
        Console.Error.WriteLine($"{beams} beams, length penalty {lengthPenalty}, {watch.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    /// <summary>
    /// Opens the model (ModelOpener: DecoderEngine for every format it runs, else the reference DecoderModel) with
    /// <paramref name="maxSequences"/> cache slots of <paramref name="contextLength"/> positions (capped at the model's
    /// context) — or, with <paramref name="ctxSize"/> (--ctx-size), of exactly that many, past the training context
    /// with a warning as llama.cpp's -c; says on stderr when the reference model runs it.
    /// </summary>
    public static OpenedModel Open(string path, int maxSequences = 1, int? contextLength = null, KvCacheType kvType = KvCacheType.F32,
                                   TokenizerUse tokenizer = TokenizerUse.None, int? ctxSize = null, IReadOnlyList<string>? adapters = null)
    {
        var opened = ModelOpener.Open(path, new ModelOpenOptions
        {
            MaxSequences = maxSequences, ContextLength = ctxSize ?? contextLength, BeyondTrainingContext = ctxSize is not null,
            KvType = kvType, Tokenizer = tokenizer, Adapters = adapters ?? [],
        });
        if (opened.EngineRefusal is { } why) Console.Error.WriteLine($"note: running on the reference model ({why})");
        if (ctxSize > opened.Config.MaxPositions)
            Console.Error.WriteLine($"warning: --ctx-size {ctxSize} exceeds the model's training context ({opened.Config.MaxPositions}): possible training context overflow (as llama.cpp warns); output past position {opened.Config.MaxPositions} may degrade.");
        return opened;
    }

    /// <summary>--ctx-size N: positions per sequence, as llama.cpp's -c (default: what the request needs, at most the model's training context).</summary>
    public static Option<int?> CtxSizeOption() =>
        CliOptions.AtLeast(new Option<int?>("--ctx-size", "-c") { Description = "Context size in tokens per sequence (default: the model's training context, or what the request needs); larger than the training context runs on with a warning, as llama.cpp's -c." }, 1);

    /// <summary>--adapter DIR (repeatable): PEFT adapter folders (LoRA, DoRA, IA³) merged into the weights before generating.</summary>
    public static Option<string[]> AdapterOption() =>
        new("--adapter") { Description = "PEFT adapter folder (LoRA/DoRA/IA3; repeatable), merged into the model's f32 weights in order.", AllowMultipleArgumentsPerToken = false };

    public static int? CheckCtxSize(int? n) =>
        n is < 1 ? throw new ArgumentException($"--ctx-size must be at least 1, got {n}.") : n;

    /// <summary>--threads N: the worker pool's size for the run (default: every core); CliOptions.Threads, kept for the verbs that call it here.</summary>
    public static Option<int?> ThreadsOption() => CliOptions.Threads("Threads for the matmuls and attention (default: all cores).");

    public static void UseThreads(int? threads) => CliOptions.UseThreads(threads);

    /// <summary>--kv-type f32|f16 (the engine's KV cache: f32 exact, f16 like llama.cpp at half the memory).</summary>
    public static Option<string> KvTypeOption()
    {
        var o = new Option<string>("--kv-type") { DefaultValueFactory = _ => "f32", Description = "KV cache type: f32 (exact) or f16 (half the memory, as llama.cpp; needs the inference engine)." };
        o.AcceptOnlyFromAmong("f32", "f16");
        return o;
    }

    public static KvCacheType ParseKvType(string s) => s.ToLowerInvariant() switch
    {
        "f32" => KvCacheType.F32, "f16" => KvCacheType.F16,
        _ => throw new ArgumentException($"--kv-type '{s}' is not one of f32, f16."),
    };

    private static int[] ParseIds(string s, string option)
    {
        try { return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new FormatException($"{option}: expected comma-separated integers, got '{s}'."); }
    }
}
