// ContinuousBatcher: continuous batching driven one step at a time, for a server's scheduler thread (vLLM's
// scheduler, llama.cpp server's slots). Requests wait in a queue; a free cache slot takes the next one between
// steps. Each Step is one ForwardBatch holding one token of every decoding sequence plus up to PrefillChunk
// prompt tokens of the sequences still prefilling (in arrival order), so a long prompt is prefilled over several
// steps and never stalls the running decodes for more than one chunk. A sequence whose prompt is complete picks
// its next token from its logits row with its own sampler, stop rules and limit (SequenceState, the same rules
// as TextGenerator and BatchGenerator). Cancelled requests end before the next step and free their slot.
// Not thread-safe: one thread owns the batcher and the model; other threads only call BatchRequest.Cancel.
using System.Runtime.InteropServices;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;

namespace SharpLM.Inference.Serving;

/// <summary>Step-wise continuous batching over an <see cref="IBatchedCausalLm"/>'s cache slots.</summary>
public sealed class ContinuousBatcher
{
    private sealed class Active(BatchRequest request, SequenceState seq, int slot)
    {
        public readonly BatchRequest Request = request;
        public readonly SequenceState Seq = seq;
        public readonly int Slot = slot;
        public int Fed;                       // positions of the sequence already in the cache
        public bool Prefilling => Fed < Seq.PromptLength;
    }

    private readonly IBatchedCausalLm _model;
    private readonly Queue<BatchRequest> _waiting = new();
    private readonly Stack<int> _free;
    private readonly List<Active> _active = [];
    private readonly List<int> _tokens = [];
    private readonly List<SequenceChunk> _chunks = [];
    private readonly List<(Active Seq, bool Samples)> _owners = []; // per chunk: its sequence, and whether it samples from the chunk's logits row (not mid-prompt)
    private readonly float[] _logits;
    private readonly float[] _raw;

    /// <param name="prefillChunk">Most prompt tokens one step feeds (all prefilling sequences together).</param>
    public ContinuousBatcher(IBatchedCausalLm model, int prefillChunk = 128)
    {
        if (prefillChunk < 1) throw new ArgumentOutOfRangeException(nameof(prefillChunk), prefillChunk, "ContinuousBatcher: the prefill chunk must be at least 1 token.");
        _model = model;
        PrefillChunk = prefillChunk;
        _free = new Stack<int>(Enumerable.Range(0, model.MaxSequences).Reverse()); // lowest slot first
        _logits = new float[(long)model.MaxSequences * model.VocabSize];
        _raw = new float[model.VocabSize];
    }

    public int PrefillChunk { get; }

    /// <summary>Sequences holding a cache slot (prefilling or decoding).</summary>
    public int Running => _active.Count;

    /// <summary>Requests waiting for a slot.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Cache slots not held by any sequence.</summary>
    public int FreeSlots => _free.Count;

    /// <summary>Positions held in the cache by the running sequences.</summary>
    public long CachedPositions => _active.Sum(a => (long)a.Fed);

    /// <summary>Prompt tokens fed and tokens generated since the batcher was made.</summary>
    public long PromptTokens { get; private set; }

    public long GeneratedTokens { get; private set; }

    /// <summary>Whether anything is running or waiting.</summary>
    public bool HasWork => _active.Count > 0 || _waiting.Count > 0;

    /// <summary>Validates the request (as TextGenerator does) and queues it; throws for bad input before anything runs.</summary>
    public void Submit(BatchRequest request)
    {
        request.Options.Validate(_model.VocabSize, _model.ContextLength, request.Prompt.Count);
        foreach (var id in request.Prompt)
            if (id < 0 || id >= _model.VocabSize) throw new ArgumentOutOfRangeException(nameof(request), id, $"ContinuousBatcher: prompt token {id} is outside the vocabulary [0, {_model.VocabSize}).");
        _waiting.Enqueue(request);
    }

    /// <summary>
    /// Borrows a free slot for work outside generation (embeddings) and gives it back after <paramref name="work"/>;
    /// false when every slot is taken.
    /// </summary>
    public bool WithFreeSlot(Action<int> work)
    {
        if (_free.Count == 0) return false;
        int slot = _free.Pop();
        try { work(slot); }
        finally { _free.Push(slot); }
        return true;
    }

    /// <summary>Ends cancelled requests, admits waiting ones into free slots and runs one batched forward; false when there was nothing to run.</summary>
    public bool Step()
    {
        DropCancelled();
        while (_waiting.Count > 0 && _free.Count > 0)
        {
            var r = _waiting.Dequeue();
            _active.Add(new Active(r, new SequenceState(r.Prompt, r.Options, _model.VocabSize, _model.ContextLength), _free.Pop()));
        }
        if (_active.Count == 0) return false;
        _tokens.Clear(); _chunks.Clear(); _owners.Clear();
        int budget = PrefillChunk;
        foreach (var a in _active)
        {
            if (!a.Prefilling)
            {
                _tokens.Add(a.Seq.Last);
                _chunks.Add(new SequenceChunk(a.Slot, a.Seq.Length - 1, 1));
                _owners.Add((a, true));
                continue;
            }
            if (budget == 0) continue;
            int take = Math.Min(budget, a.Seq.PromptLength - a.Fed);
            _tokens.AddRange(a.Seq.Tokens.Slice(a.Fed, take));
            _chunks.Add(new SequenceChunk(a.Slot, a.Fed, take));
            _owners.Add((a, a.Fed + take == a.Seq.PromptLength));
            budget -= take;
        }
        _model.ForwardBatch(CollectionsMarshal.AsSpan(_tokens), CollectionsMarshal.AsSpan(_chunks), _logits);
        int vocab = _model.VocabSize;
        for (int i = 0; i < _chunks.Count; i++)
        {
            var ch = _chunks[i];
            var (a, samples) = _owners[i];
            if (a.Prefilling) PromptTokens += ch.Count;
            a.Fed = ch.Position + ch.Count;
            if (!samples) continue;
            var row = _logits.AsSpan(i * vocab, vocab);
            if (a.Request.TopLogProbs >= 0) row.CopyTo(_raw);
            var end = a.Seq.Accept(row);
            GeneratedTokens++;
            var token = a.Request.TopLogProbs >= 0 ? LogProbs(a.Seq.Last, a.Request.TopLogProbs) : new GeneratedToken(a.Seq.Last, "", float.NaN, null);
            a.Request.OnToken?.Invoke(token with { Text = a.Seq.TakeText() });
            if (end is { } reason) Finish(a, reason);
        }
        return true;
    }

    /// <summary>Ends every running and waiting request as cancelled (shutdown).</summary>
    public void CancelAll()
    {
        foreach (var a in _active) a.Request.Cancel();
        foreach (var r in _waiting) r.Cancel();
        DropCancelled();
    }

    private void DropCancelled()
    {
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var a = _active[i];
            if (!a.Request.IsCancelled) continue;
            a.Seq.Cancel();
            if (a.Seq.TakeText() is { Length: > 0 } rest) a.Request.OnToken?.Invoke(new GeneratedToken(-1, rest, float.NaN, null));
            Finish(a, FinishReason.Cancelled);
        }
        if (_waiting.Any(r => r.IsCancelled))
        {
            var keep = _waiting.Where(r => !r.IsCancelled).ToList();
            foreach (var r in _waiting.Where(r => r.IsCancelled)) r.OnFinish?.Invoke(FinishReason.Cancelled);
            _waiting.Clear();
            foreach (var r in keep) _waiting.Enqueue(r);
        }
    }

    private void Finish(Active a, FinishReason reason)
    {
        _active.Remove(a);
        _free.Push(a.Slot);
        a.Request.OnFinish?.Invoke(reason);
    }

    /// <summary>The chosen token's log-probability and the <paramref name="top"/> most likely tokens, from the raw logits in _raw.</summary>
    private GeneratedToken LogProbs(int id, int top)
    {
        float lse = (float)Sampling.LogitMath.LogSumExp(_raw);
        (int, float)[]? best = null;
        if (top > 0)
        {
            var order = new int[_raw.Length];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var keys = (float[])_raw.Clone();
            Array.Sort(keys, order);
            best = new (int, float)[Math.Min(top, order.Length)];
            for (int r = 0; r < best.Length; r++) best[r] = (order[^(r + 1)], keys[^(r + 1)] - lse);
        }
        return new GeneratedToken(id, "", _raw[id] - lse, best);
    }
}
