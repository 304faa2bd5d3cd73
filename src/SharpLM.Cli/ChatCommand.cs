// `sharplm chat --model PATH [--system TEXT] [sampling options]`: an interactive conversation. Each turn is
// rendered with the model's chat template (GGUF tokenizer.chat_template or tokenizer_config.json, else
// ChatML; ModelOpener reads it with the model), the reply streams as it is generated, and prefill/decode tokens per second follow each reply.
// An empty line or Ctrl+D ends the session.
using System.CommandLine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Loading;
using SharpLM.Inference.Sampling;
using SharpLM.Text.ChatTemplates;
using SharpLM.Cli.Common;

namespace SharpLM.Cli;

internal static class ChatCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("HF folder, .gguf or llama2.c .bin (with its tokenizer).");
        var system = new Option<string?>("--system") { Description = "System prompt." };
        var max = CliOptions.AtLeast(new Option<int>("--max-tokens") { DefaultValueFactory = _ => 256, Description = "Most tokens per reply." }, 1);
        var temp = CliOptions.AtLeast(new Option<float>("--temperature") { DefaultValueFactory = _ => 0.7f, Description = "Sampling temperature; 0 = greedy." }, 0);
        var topP = CliOptions.Range(new Option<float>("--top-p") { DefaultValueFactory = _ => 0.9f, Description = "Nucleus sampling probability mass, in (0, 1]." }, 0, 1, minExclusive: true);
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL, Description = "Sampling seed." };
        var kv = GenerateCommand.KvTypeOption();
        var threads = GenerateCommand.ThreadsOption();
        var ctx = GenerateCommand.CtxSizeOption();
        var adapters = GenerateCommand.AdapterOption();
        var cmd = new Command("chat", "Chat with a model interactively.") { model, system, max, temp, topP, seed, kv, threads, ctx, adapters };
        cmd.SetAction(async (r, cancel) =>
        {
            try
            {
                string path = r.GetValue(model)!;
                GenerateCommand.UseThreads(r.GetValue(threads));
                using var opened = GenerateCommand.Open(path, kvType: GenerateCommand.ParseKvType(r.GetValue(kv)!), tokenizer: TokenizerUse.Required,
                                                       ctxSize: GenerateCommand.CheckCtxSize(r.GetValue(ctx)), adapters: r.GetValue(adapters));
                var lm = opened.Lm;
                var tok = opened.Tokenizer!;
                var generator = new TextGenerator(lm);
                var history = new List<ChatMessage>();
                if (r.GetValue(system) is { } sys) history.Add(ChatMessage.System(sys));
                Console.Error.WriteLine("Type a message (empty line to quit).");
                while (!cancel.IsCancellationRequested)
                {
                    Console.Write("> ");
                    var line = StandardInput.ReadLine();
                    if (string.IsNullOrWhiteSpace(line)) break;
                    history.Add(ChatMessage.User(line));
                    var prompt = tok.Encode(opened.Template.Render(history, addGenerationPrompt: true).Text);
                    int room = lm.ContextLength - prompt.Length;
                    if (room < 1) { Console.Error.WriteLine($"chat: the conversation ({prompt.Length} tokens) fills the context of {lm.ContextLength}; start a new one."); break; }
                    var opts = new GenerationOptions
                    {
                        MaxNewTokens = Math.Min(r.GetValue(max), room), StopTokens = tok.Eos is { } eos ? [eos] : [],
                        Sampling = new SamplingOptions { Temperature = r.GetValue(temp), TopP = r.GetValue(topP), Seed = r.GetValue(seed) },
                    };
                    // The reply is printed as its text becomes final (incremental detokenisation).
                    var res = generator.Generate(prompt, opts with { Detokenize = tok.Decode }, cancel, onText: Console.Write);
                    Console.WriteLine();
                    Console.Error.WriteLine($"[{res.Tokens.Length} tokens, {res.Finish}; prefill {res.PrefillTokensPerSecond:F1} tok/s, decode {res.DecodeTokensPerSecond:F1} tok/s]");
                    history.Add(ChatMessage.Assistant(res.Text!));
                }
                return 0;
            }
            catch (Exception e) when (ModelOpener.IsBadInput(e) || e is InvalidOperationException)
            {
                return CliError.Print("chat", e);
            }
        });
        return cmd;
    }
}
