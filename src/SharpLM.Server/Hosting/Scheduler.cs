// Scheduler: the one thread that owns the model. Request threads hand it BatchRequests and embedding jobs
// through concurrent queues; between steps it moves new requests into the ContinuousBatcher (so they join the
// running batch at the next step), runs an embedding job when a slot is free, and runs one batcher step
// (decode rows plus a prefill chunk). Admission is capped at --parallel running plus --max-queue waiting
// sequences: over that a request is refused (429). Stop() cancels everything and joins the thread.
using System.Collections.Concurrent;
using System.Diagnostics;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;
using SharpLM.Inference.Serving;

namespace SharpLM.Server.Hosting;

internal sealed class Scheduler : IDisposable
{
    private readonly ServedModel _model;
    private readonly ContinuousBatcher _batcher;
    private readonly ConcurrentQueue<BatchRequest> _incoming = new();
    private readonly ConcurrentQueue<(int[] Tokens, TaskCompletionSource<float[]> Done)> _embeds = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread _thread;
    private readonly int _capacity;
    private int _admitted;
    private volatile bool _stopping;
    private volatile SchedulerSnapshot _snapshot;
    private double _busy;

    public Scheduler(ServedModel model, ServerOptions options)
    {
        _model = model;
        _batcher = new ContinuousBatcher(model.Lm, options.PrefillChunk);
        _capacity = options.Parallel + options.MaxQueue;
        _snapshot = Snapshot();
        _thread = new Thread(Loop) { IsBackground = true, Name = "sharplm-scheduler" };
        _thread.Start();
    }

    public SchedulerSnapshot Current => _snapshot;

    /// <summary>Reserves room for <paramref name="count"/> sequences; false when the server is full (429).</summary>
    public bool TryAdmit(int count)
    {
        while (true)
        {
            int now = Volatile.Read(ref _admitted);
            if (now + count > _capacity) return false;
            if (Interlocked.CompareExchange(ref _admitted, now + count, now) == now) return true;
        }
    }

    /// <summary>Queues an admitted request; its room is given back when it finishes.</summary>
    public void Enqueue(BatchRequest request)
    {
        _incoming.Enqueue(request);
        _wake.Release();
    }

    /// <summary>Gives back room reserved by <see cref="TryAdmit"/> for sequences that were never enqueued.</summary>
    public void Release(int count) => Interlocked.Add(ref _admitted, -count);

    /// <summary>Wraps <paramref name="onFinish"/> so that the request's room is given back when it ends.</summary>
    public Action<FinishReason> Releasing(Action<FinishReason> onFinish) => reason => { Release(1); onFinish(reason); };

    /// <summary>Mean-pooled final hidden states of <paramref name="tokens"/>, computed on the scheduler thread in a free slot.</summary>
    public Task<float[]> EmbedAsync(int[] tokens)
    {
        var done = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _embeds.Enqueue((tokens, done));
        _wake.Release();
        return done.Task;
    }

    private void Loop()
    {
        var clock = new Stopwatch();
        while (!_stopping)
        {
            while (_incoming.TryDequeue(out var r))
            {
                try { _batcher.Submit(r); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException) { r.OnFinish?.Invoke(FinishReason.Cancelled); } // checked before admission; a bug if reached
            }
            clock.Restart();
            bool worked = false;
            if (_embeds.TryPeek(out var job) && _batcher.WithFreeSlot(slot => RunEmbedding(job.Tokens, job.Done, slot)))
            {
                _embeds.TryDequeue(out _);
                worked = true;
            }
            try { worked |= _batcher.Step(); }
            catch (Exception e)
            {
                Console.Error.WriteLine($"serve: the model step failed, cancelling the running requests: {e.Message}");
                _batcher.CancelAll();
            }
            if (worked) _busy += clock.Elapsed.TotalSeconds;
            _snapshot = Snapshot();
            if (!worked && _incoming.IsEmpty && (_embeds.IsEmpty || _batcher.FreeSlots == 0)) _wake.Wait(50);
        }
        _batcher.CancelAll();
        while (_incoming.TryDequeue(out var r)) r.OnFinish?.Invoke(FinishReason.Cancelled);
        while (_embeds.TryDequeue(out var j)) j.Done.TrySetCanceled();
        _snapshot = Snapshot();
    }

    private void RunEmbedding(int[] tokens, TaskCompletionSource<float[]> done, int slot)
    {
        try
        {
            if (_model.Lm is not DecoderEngine engine)
                throw new NotSupportedException($"embeddings need the inference engine; this model runs on the reference model ({_model.Opened.EngineRefusal}).");
            int dim = engine.Config.Dim;
            var hidden = new float[(long)tokens.Length * dim];
            engine.HiddenStates(tokens, hidden, slot);
            var mean = new float[dim];
            for (int t = 0; t < tokens.Length; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(mean, hidden.AsSpan(t * dim, dim), mean);
            System.Numerics.Tensors.TensorPrimitives.Divide(mean, tokens.Length, mean);
            done.SetResult(mean);
        }
        catch (Exception e) { done.SetException(e); }
    }

    private SchedulerSnapshot Snapshot()
    {
        var paged = _model.Lm as IPagedCausalLm;
        return new(_batcher.Running, _batcher.Waiting + _incoming.Count, _batcher.FreeSlots, _model.Lm.MaxSequences,
            _batcher.CachedPositions, _batcher.PromptTokens, _batcher.GeneratedTokens, _busy, paged?.KvBlocksUsed ?? 0, paged?.KvBlocksTotal ?? 0,
            paged?.KvBlockSize ?? 0, _batcher.PrefixLookupTokens, _batcher.PrefixHitTokens, _batcher.Preemptions);
    }

    public void Stop()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Release();
        _thread.Join();
    }

    public void Dispose() => Stop();
}
