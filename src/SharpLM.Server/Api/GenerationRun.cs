// GenerationRun: one HTTP request's sequences inside the scheduler — n choices over one prompt, each a
// BatchRequest whose callbacks post events (a token with its final text, or the end) into a channel the request
// thread reads, for streaming or for collecting. The request's cancellation (client disconnect, the server's
// request timeout, shutdown) cancels every choice, so the batcher frees their slots before its next step.
using System.Threading.Channels;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Serving;
using SharpLM.Server.Hosting;

namespace SharpLM.Server.Api;

/// <summary>An event of one choice: a token (Token set) or the end (Finish set).</summary>
internal readonly record struct ChoiceEvent(int Choice, GeneratedToken? Token, FinishReason? Finish);

internal sealed class GenerationRun : IDisposable
{
    private readonly Channel<ChoiceEvent> _events = Channel.CreateUnbounded<ChoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BatchRequest[] _requests;
    private readonly CancellationTokenRegistration _registration;
    private int _open;

    public int PromptTokens { get; }

    /// <summary>Starts n choices over one prompt (room for them was admitted by the caller and is given back as each ends).</summary>
    public GenerationRun(Scheduler scheduler, int[] prompt, IReadOnlyList<GenerationOptions> options, int topLogProbs, CancellationToken cancel)
        : this(scheduler, [(prompt, options)], topLogProbs, cancel) { }

    /// <summary>Starts choices for several prompts: prompt p's choice c is choice p·n + c.</summary>
    public GenerationRun(Scheduler scheduler, IReadOnlyList<(int[] Prompt, IReadOnlyList<GenerationOptions> Options)> prompts, int topLogProbs, CancellationToken cancel)
    {
        PromptTokens = prompts.Sum(p => p.Prompt.Length);
        var choices = prompts.SelectMany(p => p.Options.Select(o => (p.Prompt, Options: o))).ToArray();
        _open = choices.Length;
        _requests = new BatchRequest[choices.Length];
        for (int i = 0; i < choices.Length; i++)
        {
            int choice = i;
            _requests[i] = new BatchRequest(choices[i].Prompt, choices[i].Options)
            {
                TopLogProbs = topLogProbs,
                OnToken = t => _events.Writer.TryWrite(new ChoiceEvent(choice, t, null)),
                OnFinish = scheduler.Releasing(reason =>
                {
                    _events.Writer.TryWrite(new ChoiceEvent(choice, null, reason));
                    if (Interlocked.Decrement(ref _open) == 0) _events.Writer.TryComplete();
                }),
            };
        }
        _registration = cancel.Register(Cancel);
        foreach (var r in _requests) scheduler.Enqueue(r);
    }

    public ChannelReader<ChoiceEvent> Events => _events.Reader;

    public void Cancel()
    {
        foreach (var r in _requests) r.Cancel();
    }

    /// <summary>Cancels whatever still runs (a request that ended early, e.g. by an exception while writing).</summary>
    public void Dispose()
    {
        _registration.Dispose();
        Cancel();
    }
}

/// <summary>The OpenAI finish_reason of a FinishReason.</summary>
internal static class FinishReasons
{
    public static string Name(FinishReason r) => r switch { FinishReason.Length => "length", FinishReason.Stop => "stop", _ => "cancelled" };
}
