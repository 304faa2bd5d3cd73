// CompletionsEndpoint: POST /v1/completions (OpenAI's legacy text completions). The prompt is a string, an array
// of strings, an array of token ids or an array of such arrays; each prompt gets n choices (choice index p·n + c),
// answered as one text_completion object or, streaming, as one text_completion chunk per piece of text and
// [DONE]. "logprobs": k reports the chosen token's and the k most likely tokens' raw log-probabilities.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Serving;

namespace SharpLM.Server.Api;

internal static class CompletionsEndpoint
{
    private static readonly HashSet<string> Known = [.. GenerationRequest.Fields, "prompt", "logprobs", "echo", "suffix", "best_of"];

    public static async Task Handle(HttpContext http, ServerContext s, CancellationToken cancel)
    {
        var json = await RequestJson.ReadAsync(http.Request, cancel);
        json.OnlyKnown(Known);
        s.CheckModel(json);
        if (json.Bool("echo") == true) throw ApiError.BadRequest("'echo' is not supported.", "echo");
        if (json.String("suffix") is { Length: > 0 }) throw ApiError.BadRequest("'suffix' (fill-in-the-middle) is not supported.", "suffix");
        if (json.Int("best_of", 1) is > 1) throw ApiError.BadRequest("'best_of' is not supported.", "best_of");
        int top = json.Int("logprobs", 0, 20) ?? -1;
        var gen = GenerationRequest.Parse(json, s.Model, s.Options.Parallel);
        var prompts = Prompts(json, s);
        if (prompts.Count * gen.N > s.Options.Parallel)
            throw ApiError.BadRequest($"{prompts.Count} prompt(s) × n = {gen.N} is {prompts.Count * gen.N} sequences; the server decodes at most {s.Options.Parallel} at once (--parallel).", "prompt");
        var runs = prompts.Select(p => (p, gen.Options(s.Model, p.Length))).ToList();
        int total = prompts.Count * gen.N;
        s.Admit(total);
        using var run = new GenerationRun(s.Scheduler, runs, top, cancel);
        string id = "cmpl-" + Guid.NewGuid().ToString("N")[..24];
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tok = s.Model.Tokenizer;
        JsonObject Body(JsonArray choices) => new() { ["id"] = id, ["object"] = "text_completion", ["created"] = created, ["model"] = s.Model.Name, ["choices"] = choices };
        int completion = 0;
        if (gen.Stream)
        {
            Sse.Start(http.Response);
            await foreach (var e in run.Events.ReadAllAsync(cancel))
            {
                if (e.Token is { } t)
                {
                    if (t.Id >= 0) completion++;
                    if (t.Text.Length == 0 && (top < 0 || t.Id < 0 || t.Id == tok.Eos)) continue;
                    await Sse.Data(http.Response, Body([new JsonObject
                    {
                        ["index"] = e.Choice, ["text"] = t.Text,
                        ["logprobs"] = top >= 0 && t.Id >= 0 ? LogProbsJson.Completion([t], tok) : null, ["finish_reason"] = null,
                    }]), cancel);
                }
                else if (e.Finish is { } f && f != FinishReason.Cancelled)
                    await Sse.Data(http.Response, Body([new JsonObject { ["index"] = e.Choice, ["text"] = "", ["logprobs"] = null, ["finish_reason"] = FinishReasons.Name(f) }]), cancel);
            }
            if (gen.IncludeUsage)
            {
                var usage = Body([]);
                usage["usage"] = Usage(run.PromptTokens, completion);
                await Sse.Data(http.Response, usage, cancel);
            }
            await Sse.Done(http.Response, cancel);
            return;
        }
        var texts = Enumerable.Range(0, total).Select(_ => new System.Text.StringBuilder()).ToArray();
        var tokens = Enumerable.Range(0, total).Select(_ => new List<GeneratedToken>()).ToArray();
        var finish = new string?[total];
        await foreach (var e in run.Events.ReadAllAsync(cancel))
        {
            if (e.Token is { } t)
            {
                texts[e.Choice].Append(t.Text);
                if (t.Id >= 0) completion++;
                if (top >= 0 && t.Id >= 0 && t.Id != tok.Eos) tokens[e.Choice].Add(t);
            }
            else if (e.Finish is { } f) finish[e.Choice] = FinishReasons.Name(f);
        }
        cancel.ThrowIfCancellationRequested();
        var choices = new JsonArray();
        for (int c = 0; c < total; c++)
            choices.Add(new JsonObject
            {
                ["index"] = c, ["text"] = texts[c].ToString(), ["logprobs"] = top >= 0 ? LogProbsJson.Completion(tokens[c], tok) : null, ["finish_reason"] = finish[c],
            });
        var body = Body(choices);
        body["usage"] = Usage(run.PromptTokens, completion);
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(), cancel);
    }

    private static JsonObject Usage(int prompt, int completion) =>
        new() { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };

    /// <summary>The request's prompts as token ids (strings encoded with the model's tokenizer; ids checked against the vocabulary).</summary>
    private static List<int[]> Prompts(RequestJson json, ServerContext s)
    {
        if (json.Get("prompt") is not { } p) throw ApiError.BadRequest("'prompt' is required.", "prompt");
        var tok = s.Model.Tokenizer;
        int vocab = s.Model.Lm.VocabSize;
        int[] Checked(int[] ids)
        {
            foreach (var id in ids)
                if (id < 0 || id >= vocab) throw ApiError.BadRequest($"prompt token {id} is outside the vocabulary [0, {vocab}).", "prompt");
            return ids;
        }
        if (p.ValueKind == JsonValueKind.String) return [tok.Encode(p.GetString()!)];
        if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0)
        {
            if (RequestJson.Ints(p) is { } ids) return [Checked(ids)];
            var list = new List<int[]>();
            foreach (var e in p.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String) list.Add(tok.Encode(e.GetString()!));
                else if (RequestJson.Ints(e) is { } one) list.Add(Checked(one));
                else throw ApiError.BadRequest("'prompt' must be a string, an array of strings, an array of token ids or an array of such arrays.", "prompt");
            }
            return list;
        }
        throw ApiError.BadRequest("'prompt' must be a string, an array of strings, an array of token ids or an array of such arrays.", "prompt");
    }
}
