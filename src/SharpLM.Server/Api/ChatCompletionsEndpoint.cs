// ChatCompletionsEndpoint: POST /v1/chat/completions. The messages are rendered with the model's chat template
// (the tokenizer's Jinja template, else ChatML) with the generation prompt, encoded, and generated as n choices by
// the scheduler; the answer is one chat.completion object, or with "stream": true a chat.completion.chunk per
// piece of final text (role first, finish_reason last, a usage chunk when stream_options.include_usage, then
// [DONE]). logprobs/top_logprobs report the model's raw log-probabilities of each token.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Serving;
using SharpLM.Text.ChatTemplates;

namespace SharpLM.Server.Api;

internal static class ChatCompletionsEndpoint
{
    private static readonly HashSet<string> Known = [.. GenerationRequest.Fields, "messages", "logprobs", "top_logprobs", "response_format"];

    public static async Task Handle(HttpContext http, ServerContext s, CancellationToken cancel)
    {
        var json = await RequestJson.ReadAsync(http.Request, cancel);
        if (json.Has("tools") || json.Has("tool_choice") || json.Has("functions"))
            throw ApiError.BadRequest("tools / function calling is not supported by this server.", json.Has("tools") ? "tools" : json.Has("functions") ? "functions" : "tool_choice");
        json.OnlyKnown(Known);
        s.CheckModel(json);
        var messages = Messages(json);
        int top = TopLogProbs(json);
        var gen = GenerationRequest.Parse(json, s.Model, s.Options.Parallel);
        if (json.Get("response_format") is { } rf && !(rf.ValueKind == JsonValueKind.Object && rf.TryGetProperty("type", out var t) && t.GetString() == "text"))
            throw ApiError.BadRequest("response_format: only {\"type\": \"text\"} is supported.", "response_format");
        string text;
        try { text = s.Model.Opened.Template.Render(messages, addGenerationPrompt: true).Text; }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        { throw ApiError.BadRequest($"the chat template could not render these messages: {e.Message}", "messages"); }
        var prompt = s.Model.Tokenizer.Encode(text);
        var options = gen.Options(s.Model, prompt.Length);
        s.Admit(gen.N);
        using var run = new GenerationRun(s.Scheduler, prompt, options, top, cancel);
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (gen.Stream) await Stream(http, s, run, gen, top, id, created, cancel);
        else await Collect(http, s, run, gen, top, id, created, cancel);
    }

    private static List<ChatMessage> Messages(RequestJson json)
    {
        if (json.Get("messages") is not { ValueKind: JsonValueKind.Array } arr || arr.GetArrayLength() == 0)
            throw ApiError.BadRequest("'messages' must be a non-empty array of {role, content}.", "messages");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in arr.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                throw ApiError.BadRequest($"messages[{i}] needs a string 'role'.", "messages");
            ChatRole r;
            try { r = ChatMessage.ParseRole(role.GetString()!); }
            catch (FormatException e) { throw ApiError.BadRequest($"messages[{i}]: {e.Message}", "messages"); }
            string content = m.TryGetProperty("content", out var c) ? c.ValueKind switch
            {
                JsonValueKind.String => c.GetString()!,
                JsonValueKind.Null => "",
                JsonValueKind.Array => string.Concat(c.EnumerateArray().Select(p =>
                    p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var ty) && ty.GetString() == "text" && p.TryGetProperty("text", out var tx) && tx.ValueKind == JsonValueKind.String
                        ? tx.GetString() : throw ApiError.BadRequest($"messages[{i}].content: only text parts ({{\"type\": \"text\", \"text\": ...}}) are supported.", "messages"))),
                _ => throw ApiError.BadRequest($"messages[{i}].content must be a string or an array of text parts.", "messages"),
            } : "";
            list.Add(new ChatMessage(r, content) { Name = m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null });
            i++;
        }
        return list;
    }

    /// <summary>-1 without logprobs, else top_logprobs (0..20).</summary>
    private static int TopLogProbs(RequestJson json)
    {
        bool on = json.Bool("logprobs") ?? false;
        int? top = json.Int("top_logprobs", 0, 20);
        if (top is not null && !on) throw ApiError.BadRequest("'top_logprobs' needs \"logprobs\": true.", "top_logprobs");
        return on ? top ?? 0 : -1;
    }

    private static JsonObject Chunk(string id, long created, string model, JsonArray choices) =>
        new() { ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model, ["choices"] = choices };

    private static JsonObject Usage(int prompt, int completion) =>
        new() { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };

    private static async Task Stream(HttpContext http, ServerContext s, GenerationRun run, GenerationRequest gen, int top, string id, long created, CancellationToken cancel)
    {
        Sse.Start(http.Response);
        var tok = s.Model.Tokenizer;
        for (int c = 0; c < gen.N; c++)
            await Sse.Data(http.Response, Chunk(id, created, s.Model.Name, [new JsonObject
            {
                ["index"] = c, ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = "" }, ["logprobs"] = null, ["finish_reason"] = null,
            }]), cancel);
        int completion = 0;
        await foreach (var e in run.Events.ReadAllAsync(cancel))
        {
            if (e.Token is { } t)
            {
                if (t.Id >= 0) completion++;
                bool isStop = t.Id >= 0 && tok.Eos == t.Id;
                if (t.Text.Length == 0 && (top < 0 || t.Id < 0 || isStop)) continue;
                var delta = new JsonObject();
                if (t.Text.Length > 0) delta["content"] = t.Text;
                await Sse.Data(http.Response, Chunk(id, created, s.Model.Name, [new JsonObject
                {
                    ["index"] = e.Choice, ["delta"] = delta,
                    ["logprobs"] = top >= 0 && t.Id >= 0 ? new JsonObject { ["content"] = new JsonArray(LogProbsJson.ChatEntry(t, tok)) } : null,
                    ["finish_reason"] = null,
                }]), cancel);
            }
            else if (e.Finish is { } f)
            {
                if (f == FinishReason.Cancelled) continue; // the client is gone or the request timed out
                await Sse.Data(http.Response, Chunk(id, created, s.Model.Name, [new JsonObject
                {
                    ["index"] = e.Choice, ["delta"] = new JsonObject(), ["logprobs"] = null, ["finish_reason"] = FinishReasons.Name(f),
                }]), cancel);
            }
        }
        if (gen.IncludeUsage)
        {
            var usage = Chunk(id, created, s.Model.Name, []);
            usage["usage"] = Usage(run.PromptTokens, completion);
            await Sse.Data(http.Response, usage, cancel);
        }
        await Sse.Done(http.Response, cancel);
    }

    private static async Task Collect(HttpContext http, ServerContext s, GenerationRun run, GenerationRequest gen, int top, string id, long created, CancellationToken cancel)
    {
        var texts = Enumerable.Range(0, gen.N).Select(_ => new System.Text.StringBuilder()).ToArray();
        var logprobs = Enumerable.Range(0, gen.N).Select(_ => new JsonArray()).ToArray();
        var finish = new string?[gen.N];
        int completion = 0;
        var tok = s.Model.Tokenizer;
        await foreach (var e in run.Events.ReadAllAsync(cancel))
        {
            if (e.Token is { } t)
            {
                texts[e.Choice].Append(t.Text);
                if (t.Id >= 0) completion++;
                if (top >= 0 && t.Id >= 0 && tok.Eos != t.Id) logprobs[e.Choice].Add(LogProbsJson.ChatEntry(t, tok));
            }
            else if (e.Finish is { } f) finish[e.Choice] = FinishReasons.Name(f);
        }
        cancel.ThrowIfCancellationRequested();
        var choices = new JsonArray();
        for (int c = 0; c < gen.N; c++)
            choices.Add(new JsonObject
            {
                ["index"] = c,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = texts[c].ToString() },
                ["logprobs"] = top >= 0 ? new JsonObject { ["content"] = logprobs[c] } : null,
                ["finish_reason"] = finish[c],
            });
        var body = new JsonObject
        {
            ["id"] = id, ["object"] = "chat.completion", ["created"] = created, ["model"] = s.Model.Name, ["choices"] = choices,
            ["usage"] = Usage(run.PromptTokens, completion),
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(), cancel);
    }
}
