// GenerationRequest: the fields /v1/chat/completions and /v1/completions share — n, seed, the length limit
// (max_tokens / max_completion_tokens, capped by the server's limit and the context), every sampler option of
// `sharplm generate` (temperature, top_p, top_k, min_p, repetition_penalty, presence/frequency penalties,
// logit_bias), stop strings, streaming, and llama.cpp's ignore_eos (generation does not stop at EOS) — turned into one GenerationOptions per choice (choice i samples with
// seed + i, as TextGenerator.PerPrompt does). OpenAI's defaults: temperature 1, top_p 1, max_tokens up to the context.
using System.Text.Json;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Sampling;
using SharpLM.Server.Hosting;

namespace SharpLM.Server.Api;

internal sealed record GenerationRequest(int N, bool Stream, bool IncludeUsage, int? MaxTokens, SamplingOptions Sampling, string[] Stop, bool IgnoreEos)
{
    /// <summary>Fields this record reads (the endpoints add their own).</summary>
    public static readonly string[] Fields =
    [
        "model", "n", "seed", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "min_p", "repetition_penalty",
        "presence_penalty", "frequency_penalty", "logit_bias", "stop", "stream", "stream_options", "user", "ignore_eos",
    ];

    public static GenerationRequest Parse(RequestJson json, ServedModel model, int parallel)
    {
        int n = json.Int("n", 1, int.MaxValue) ?? 1;
        if (n > parallel) throw ApiError.BadRequest($"'n' is {n}, but the server decodes at most {parallel} sequences at once (--parallel).", "n");
        int? max = json.Int("max_completion_tokens", 1) ?? json.Int("max_tokens", 1);
        if (max is { } m && m > model.MaxTokensLimit)
            throw ApiError.BadRequest($"max_tokens {m} is over the server's limit of {model.MaxTokensLimit}.", json.Has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
        var bias = new Dictionary<int, float>();
        if (json.Get("logit_bias") is { } lb)
        {
            if (lb.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("'logit_bias' must be an object of token id → bias.", "logit_bias");
            foreach (var p in lb.EnumerateObject())
            {
                if (!int.TryParse(p.Name, out int id) || p.Value.ValueKind != JsonValueKind.Number)
                    throw ApiError.BadRequest($"'logit_bias': expected \"token id\": number, got \"{p.Name}\": {p.Value.GetRawText()}.", "logit_bias");
                bias[id] = p.Value.GetSingle();
            }
        }
        var sampling = new SamplingOptions
        {
            Temperature = json.Float("temperature") ?? 1f,
            TopP = json.Float("top_p") ?? 1f,
            TopK = json.Int("top_k", 0) ?? 0,
            MinP = json.Float("min_p") ?? 0f,
            RepetitionPenalty = json.Float("repetition_penalty") ?? 1f,
            PresencePenalty = json.Float("presence_penalty") ?? 0f,
            FrequencyPenalty = json.Float("frequency_penalty") ?? 0f,
            LogitBias = bias.Count > 0 ? bias : null,
            Seed = json.Long("seed") is { } s ? unchecked((ulong)s) : 0UL,
        };
        try { sampling.Validate(model.Lm.VocabSize); }
        catch (ArgumentException e) { throw ApiError.BadRequest(e.Message.Replace("SamplingOptions: ", "")); }
        var stop = json.Strings("stop");
        if (stop.Any(string.IsNullOrEmpty)) throw ApiError.BadRequest("'stop' strings must not be empty.", "stop");
        bool includeUsage = false;
        if (json.Get("stream_options") is { } so)
        {
            if (so.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("'stream_options' must be an object.", "stream_options");
            includeUsage = so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        }
        return new GenerationRequest(n, json.Bool("stream") ?? false, includeUsage, max, sampling, stop, json.Bool("ignore_eos") ?? false);
    }

    /// <summary>One options record per choice for a prompt of <paramref name="promptLength"/> tokens (400 naming the limit when it does not fit).</summary>
    public IReadOnlyList<GenerationOptions> Options(ServedModel model, int promptLength)
    {
        int ctx = model.Lm.ContextLength;
        if (promptLength < 1) throw ApiError.BadRequest("the prompt is empty (it encodes to no tokens).");
        if (promptLength >= ctx)
            throw ApiError.BadRequest($"the prompt has {promptLength} tokens; the context holds {ctx} (prompt plus completion), so at most {ctx - 1} prompt tokens fit.", null);
        if (MaxTokens is { } m && promptLength + m > ctx)
            throw ApiError.BadRequest($"the prompt ({promptLength} tokens) plus max_tokens ({m}) exceeds the context length {ctx}.", "max_tokens");
        var options = new GenerationOptions
        {
            MaxNewTokens = MaxTokens ?? Math.Min(model.MaxTokensLimit, ctx - promptLength),
            StopTokens = !IgnoreEos && model.Tokenizer.Eos is { } eos ? [eos] : [],
            StopStrings = Stop,
            Detokenize = model.Tokenizer.Decode,
            Sampling = Sampling,
        };
        return TextGenerator.PerPrompt(options, N);
    }
}
