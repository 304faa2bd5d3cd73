// LogProbsJson: log-probabilities in OpenAI's two shapes — chat's logprobs.content [{token, logprob, bytes,
// top_logprobs}] and the legacy completions' {tokens, token_logprobs, top_logprobs, text_offset}. A token's text is
// the tokenizer's decode of that one id.
using System.Text;
using System.Text.Json.Nodes;
using SharpLM.Inference.Serving;
using SharpLM.Text.Formats;

namespace SharpLM.Server.Api;

internal static class LogProbsJson
{
    private static JsonArray Bytes(string s) => new(Encoding.UTF8.GetBytes(s).Select(b => (JsonNode)JsonValue.Create((int)b)).ToArray());

    /// <summary>One entry of chat's logprobs.content.</summary>
    public static JsonObject ChatEntry(GeneratedToken t, ModelTokenizer tok)
    {
        string text = tok.Decode([t.Id]);
        var top = new JsonArray();
        foreach (var (id, lp) in t.Top ?? [])
        {
            string s = tok.Decode([id]);
            top.Add(new JsonObject { ["token"] = s, ["logprob"] = lp, ["bytes"] = Bytes(s) });
        }
        return new JsonObject { ["token"] = text, ["logprob"] = t.LogProb, ["bytes"] = Bytes(text), ["top_logprobs"] = top };
    }

    /// <summary>The completions logprobs object of a choice's tokens (text offsets count from the completion's start).</summary>
    public static JsonObject Completion(IReadOnlyList<GeneratedToken> tokens, ModelTokenizer tok)
    {
        var names = new JsonArray(); var lps = new JsonArray(); var tops = new JsonArray(); var offsets = new JsonArray();
        int offset = 0;
        foreach (var t in tokens)
        {
            string s = tok.Decode([t.Id]);
            names.Add(s); lps.Add(t.LogProb); offsets.Add(offset);
            offset += s.Length;
            var top = new JsonObject();
            foreach (var (id, lp) in t.Top ?? []) top[tok.Decode([id])] = lp; // OpenAI's map: alternatives with equal text collapse
            tops.Add(top);
        }
        return new JsonObject { ["tokens"] = names, ["token_logprobs"] = lps, ["top_logprobs"] = tops, ["text_offset"] = offsets };
    }
}
