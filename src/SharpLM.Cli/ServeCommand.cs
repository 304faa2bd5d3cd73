// `sharplm serve --model PATH [--host 127.0.0.1] [--port 8080] [--parallel N] [--ctx-size N] [--api-key K] …`:
// parses the options and runs SharpLmServer (SharpLM.Server) until Ctrl+C; the server itself is the library's.
using System.CommandLine;
using SharpLM.Inference.Loading;
using SharpLM.Server;

namespace SharpLM.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "HF folder, .gguf or llama2.c .bin (with its tokenizer): the one model served.", Required = true };
        var name = new Option<string?>("--model-name") { Description = "Name requests use for the model (default: its file or folder name)." };
        var host = new Option<string>("--host") { DefaultValueFactory = _ => "127.0.0.1", Description = "Address to bind (an IP or 'localhost'; loopback by default)." };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 8080, Description = "TCP port (0: any free port)." };
        var parallel = new Option<int>("--parallel", "-np") { DefaultValueFactory = _ => 4, Description = "Sequences decoded together (KV-cache slots)." };
        var queue = new Option<int>("--max-queue") { DefaultValueFactory = _ => 64, Description = "Requests that may wait for a slot; more get 429." };
        var ctx = new Option<int?>("--ctx-size", "-c") { Description = "Positions per sequence (default: the model's context)." };
        var blocks = new Option<int?>("--kv-blocks") { Description = "Paged KV-cache blocks (16 positions each) shared by all sequences (default: a full context per sequence)." };
        var chunk = new Option<int>("--prefill-chunk") { DefaultValueFactory = _ => 128, Description = "Prompt tokens prefilled per scheduler step (long prompts run in chunks between decode steps)." };
        var keys = new Option<string[]>("--api-key") { Description = "Accepted Bearer key (repeatable); without it no key is needed." };
        var body = new Option<long>("--max-body") { DefaultValueFactory = _ => 1 << 20, Description = "Largest request body in bytes (413 above)." };
        var maxTokens = new Option<int?>("--max-tokens-limit") { Description = "Largest max_tokens a request may ask for (default: the context)." };
        var timeout = new Option<double>("--timeout") { DefaultValueFactory = _ => 600, Description = "Seconds before a request is cancelled." };
        var cors = new Option<string[]>("--cors") { Description = "Allowed CORS origin (repeatable); CORS is off without it." };
        var threads = GenerateCommand.ThreadsOption();
        var cmd = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API (chat, completions, embeddings) with a web chat page.")
            { model, name, host, port, parallel, queue, ctx, blocks, chunk, keys, body, maxTokens, timeout, cors, threads };
        cmd.SetAction(async (r, cancel) =>
        {
            try
            {
                var options = new ServerOptions
                {
                    ModelPath = r.GetValue(model)!, ModelName = r.GetValue(name), Host = r.GetValue(host)!, Port = r.GetValue(port),
                    Parallel = r.GetValue(parallel), MaxQueue = r.GetValue(queue), ContextSize = r.GetValue(ctx), KvBlocks = r.GetValue(blocks), PrefillChunk = r.GetValue(chunk),
                    ApiKeys = r.GetValue(keys) ?? [], MaxBodyBytes = r.GetValue(body), MaxTokensLimit = r.GetValue(maxTokens),
                    RequestTimeout = TimeSpan.FromSeconds(r.GetValue(timeout)), CorsOrigins = r.GetValue(cors) ?? [], Threads = r.GetValue(threads),
                };
                await using var server = await SharpLmServer.StartAsync(options, cancel);
                Console.Error.WriteLine($"serve: '{server.ModelName}' at {server.BaseAddress} ({options.Parallel} parallel sequences); Ctrl+C stops.");
                await server.RunUntilAsync(cancel);
                return 0;
            }
            catch (Exception e) when (ModelOpener.IsBadInput(e) || e is InvalidOperationException)
            {
                Console.Error.WriteLine($"serve: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }
}
