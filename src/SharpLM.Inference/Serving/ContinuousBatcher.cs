// ContinuousBatcher: continuous batching driven one step at a time, for a server's scheduler thread (vLLM's
// scheduler, llama.cpp server's slots). Requests wait in a queue; a free slot takes the next one between steps.
// Each Step is one ForwardBatch holding one token of every decoding sequence plus up to PrefillChunk prompt
// tokens of the sequences still prefilling (in arrival order), so a long prompt is prefilled over several steps
// and never stalls the running decodes for more than one chunk. A sequence whose prompt is complete picks its
// next token from its logits row with its own sampler, stop rules and limit (SequenceState, the same rules as
// TextGenerator and BatchGenerator). Cancelled requests end before the next step and free their slot.
// On a paged model (IPagedCausalLm) a new sequence first attaches its longest cached prefix (prefix caching: those
// positions are not computed again), a sequence is admitted only when the pool has blocks for it, and when a step
// needs more blocks than are free the most recently admitted sequences are preempted: their blocks go back, they
// return to the head of the queue keeping their tokens, and are recomputed (prompt plus generated) when readmitted.
// Not thread-safe: one thread owns the batcher and the model; other threads only call BatchRequest.Cancel.
using System.Runtime.InteropServices;
using SharpLM.Inference.Engine;
using SharpLM.Inference.Generation;

namespace SharpLM.Inference.Serving;

/// <summary>Step-wise continuous batching over an <see cref="IBatchedCausalLm"/>'s cache slots.</summary>
public sealed class ContinuousBatcher
{
    private sealed class Entry(BatchRequest request)
    {
        public readonly BatchRequest Request = request;
        public SequenceState? Seq;             // made at first admission; kept through preemption
        public int Slot = -1;
        public int Fed;                        // positions of the sequence in the cache
    }

    private readonly IBatchedCausalLm _model;
    private readonly IPagedCausalLm? _paged;
    private readonly LinkedList<Entry> _waiting = new();
    private readonly Stack<int> _free;
    private readonly List<Entry> _active = [];   // in admission order
    private readonly List<int> _tokens = [];
    private readonly List<SequenceChunk> _chunks = [];
    private readonly List<(Entry Seq, bool Samples, bool Decode)> _owners = []; // per chunk: its sequence, whether it samples from the chunk's logits row (not mid-prompt), whether it is a decode step
    private readonly float[] _logits;
    private readonly float[] _raw;

    /// <param name="prefillChunk">Most prompt tokens one step feeds (all prefilling sequences together).</param>
    public ContinuousBatcher(IBatchedCausalLm model, int prefillChunk = 128)
    {
        if (prefillChunk < 1) throw new ArgumentOutOfRangeException(nameof(prefillChunk), prefillChunk, "ContinuousBatcher: the prefill chunk must be at least 1 token.");
        _model = model;
        _paged = model as IPagedCausalLm;
        PrefillChunk = prefillChunk;
        _free = new Stack<int>(Enumerable.Range(0, model.MaxSequences).Reverse()); // lowest slot first
        _logits = new float[(long)model.MaxSequences * model.VocabSize];
        _raw = new float[model.VocabSize];
    }

    public int PrefillChunk { get; }

    /// <summary>Sequences holding a cache slot (prefilling or decoding).</summary>
    public int Running => _active.Count;

    /// <summary>Requests waiting for a slot (preempted ones included).</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Cache slots not held by any sequence.</summary>
    public int FreeSlots => _free.Count;

    /// <summary>Positions held in the cache by the running sequences.</summary>
    public long CachedPositions => _active.Sum(a => (long)a.Fed);

    /// <summary>Prompt (and recomputed) tokens run through the model since the batcher was made.</summary>
    public long PromptTokens { get; private set; }

    /// <summary>Prompt tokens of admitted sequences, and how many of them were taken from the prefix cache instead of computed.</summary>
    public long PrefixLookupTokens { get; private set; }

    public long PrefixHitTokens { get; private set; }

    public long GeneratedTokens { get; private set; }

    /// <summary>Sequences preempted (blocks given back, recomputed later) because the pool ran out of blocks.</summary>
    public long Preemptions { get; private set; }

    /// <summary>Whether anything is running or waiting.</summary>
    public bool HasWork => _active.Count > 0 || _waiting.Count > 0;

    /// <summary>Validates the request (as TextGenerator does) and queues it; throws for bad input before anything runs.</summary>
    public void Submit(BatchRequest request)
    {
        request.Options.Validate(_model.VocabSize, _model.ContextLength, request.Prompt.Count);
        foreach (var id in request.Prompt)
            if (id < 0 || id >= _model.VocabSize) throw new ArgumentOutOfRangeException(nameof(request), id, $"ContinuousBatcher: prompt token {id} is outside the vocabulary [0, {_model.VocabSize}).");
        _waiting.AddLast(new Entry(request));
    }

    /// <summary>
    /// Borrows a free slot for work outside generation (embeddings) and gives it back, emptied, after <paramref name="work"/>;
    /// false when every slot is taken.
    /// </summary>
    public bool WithFreeSlot(Action<int> work)
    {
        if (_free.Count == 0) return false;
        int slot = _free.Pop();
        try { work(slot); }
        finally { _paged?.ReleaseSlot(slot); _free.Push(slot); }
        return true;
    }

    /// <summary>Ends cancelled requests, admits waiting ones into free slots and runs one batched forward; false when there was nothing to run.</summary>
    public bool Step()
    {
        DropCancelled();
        Admit();
        if (_active.Count == 0) return false;
        Plan();
        if (_chunks.Count == 0) return false;
        _model.ForwardBatch(CollectionsMarshal.AsSpan(_tokens), CollectionsMarshal.AsSpan(_chunks), _logits);
        int vocab = _model.VocabSize;
        for (int i = 0; i < _chunks.Count; i++)
        {
            var ch = _chunks[i];
            var (a, samples, decode) = _owners[i];
            if (!decode) PromptTokens += ch.Count;
            a.Fed = ch.Position + ch.Count;
            if (!samples) continue;
            var row = _logits.AsSpan(i * vocab, vocab);
            if (a.Request.TopLogProbs >= 0) row.CopyTo(_raw);
            var end = a.Seq!.Accept(row);
            GeneratedTokens++;
            var token = a.Request.TopLogProbs >= 0 ? LogProbs(a.Seq.Last, a.Request.TopLogProbs) : new GeneratedToken(a.Seq.Last, "", float.NaN, null);
            a.Request.OnToken?.Invoke(token with { Text = a.Seq.TakeText() });
            if (end is { } reason) Finish(a, reason);
        }
        return true;
    }

    /// <summary>Moves waiting sequences into free slots while the pool has blocks for them (attaching cached prefixes).</summary>
    private void Admit()
    {
        while (_waiting.First is { } node && _free.Count > 0)
        {
            var e = node.Value;
            e.Seq ??= new SequenceState(e.Request.Prompt, e.Request.Options, _model.VocabSize, _model.ContextLength);
            int slot = _free.Pop(), reused = 0;
            if (_paged is { } p)
            {
                reused = p.ReusePrefix(slot, e.Seq.Tokens);
                int need = p.KvBlocksNeeded(slot, reused, e.Seq.Length - reused) + 1;
                if (_active.Count > 0 && need + _active.Count > p.KvBlocksAvailable) { p.ReleaseSlot(slot); _free.Push(slot); break; } // wait for blocks
            }
            _waiting.RemoveFirst();
            if (e.Seq.Length == e.Seq.PromptLength) { PrefixLookupTokens += e.Seq.PromptLength; PrefixHitTokens += reused; }
            e.Slot = slot;
            e.Fed = reused;
            _active.Add(e);
        }
    }

    /// <summary>This step's chunks: every decoding sequence's last token, then prompt chunks within the budget; preempts when blocks run out.</summary>
    private void Plan()
    {
        _tokens.Clear(); _chunks.Clear(); _owners.Clear();
        int budget = PrefillChunk, taken = 0;
        for (int i = 0; i < _active.Count; i++)
        {
            var a = _active[i];
            int remaining = a.Seq!.Length - a.Fed;
            bool decode = remaining == 1;
            int take = decode ? 1 : Math.Min(budget, remaining);
            if (take == 0) continue;
            if (_paged is { } p)
            {
                int need = p.KvBlocksNeeded(a.Slot, a.Fed, take);
                if (taken + need > p.KvBlocksAvailable)
                {
                    if (!decode) continue;                                                   // this prompt waits for blocks
                    while (taken + need > p.KvBlocksAvailable && _active.Count - 1 > i) Preempt(_active[^1]);
                    if (taken + need > p.KvBlocksAvailable) { Preempt(a); i--; continue; }
                }
                taken += need;
            }
            _tokens.AddRange(a.Seq.Tokens.Slice(a.Fed, take));
            _chunks.Add(new SequenceChunk(a.Slot, a.Fed, take));
            _owners.Add((a, a.Fed + take == a.Seq.Length, decode && a.Seq.Length > a.Seq.PromptLength));
            if (!decode) budget -= take;
        }
    }

    /// <summary>Gives a running sequence's blocks and slot back and queues it first, to be recomputed (its tokens are kept).</summary>
    private void Preempt(Entry e)
    {
        _paged?.ReleaseSlot(e.Slot);
        _free.Push(e.Slot);
        _active.Remove(e);
        e.Slot = -1; e.Fed = 0;
        _waiting.AddFirst(e);
        Preemptions++;
    }

    /// <summary>Ends every running and waiting request as cancelled (shutdown).</summary>
    public void CancelAll()
    {
        foreach (var a in _active) a.Request.Cancel();
        foreach (var e in _waiting) e.Request.Cancel();
        DropCancelled();
    }

    private void DropCancelled()
    {
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var a = _active[i];
            if (!a.Request.IsCancelled) continue;
            a.Seq!.Cancel();
            if (a.Seq.TakeText() is { Length: > 0 } rest) a.Request.OnToken?.Invoke(new GeneratedToken(-1, rest, float.NaN, null));
            Finish(a, FinishReason.Cancelled);
        }
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Request.IsCancelled)
            {
                _waiting.Remove(node);
                node.Value.Request.OnFinish?.Invoke(FinishReason.Cancelled);
            }
            node = next;
        }
    }

    private void Finish(Entry a, FinishReason reason)
    {
        _active.Remove(a);
        _paged?.ReleaseSlot(a.Slot);
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
