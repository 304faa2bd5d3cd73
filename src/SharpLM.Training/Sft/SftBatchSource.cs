// SftBatchSource: the SFT data stream for the Trainer. Each epoch visits the sessions in a seeded random order;
// a row of T positions takes the next session (its T' ≤ T input/target pairs) and, with packing, as many
// following sessions as still fit, each with positions restarting at 0 and its own segment id, so that attention
// and positions inside a packed row are exactly those of each session alone; the rest of a row is padding
// (id 0, target −100, segment 0). Optionally a pretraining window batch is attached to a fraction of the
// micro-batches (the data-mix ratio) for the auxiliary LM loss. The position in the stream (epoch, next session,
// RNG states) is the checkpointed state, so a resumed run draws the same batches.
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;
using SharpLM.Training.Data;
using SharpLM.Training.Trainers;

namespace SharpLM.Training.Sft;

/// <summary>Micro-batches of (packed) sessions.</summary>
public sealed class SftBatchSource : IBatchSource<SftBatch>
{
    private readonly IReadOnlyList<SftExample> _examples;
    private readonly ulong _seed;
    private readonly TokenWindowSampler? _pretrain;
    private readonly double _mixRatio;
    private readonly Generator _rng;
    private int[] _order = [];
    private long _epoch = -1;
    private int _cursor;

    /// <summary>Session tokens (not padding) handed out so far in this process, for tokens/s.</summary>
    public long TokensServed { get; private set; }

    public int Batch { get; }
    public int Context { get; }
    public bool Pack { get; }

    /// <param name="examples">Sessions, each at most <paramref name="context"/> + 1 tokens.</param>
    /// <param name="pretrain">Pretraining windows for the auxiliary loss (null: none).</param>
    /// <param name="mixRatio">Fraction of micro-batches that carry a pretraining batch.</param>
    public SftBatchSource(IReadOnlyList<SftExample> examples, int batch, int context, bool pack, ulong seed,
        TokenWindowSampler? pretrain = null, double mixRatio = 0)
    {
        if (examples.Count == 0) throw new ArgumentException("SftBatchSource: no sessions to train on.");
        if (batch <= 0 || context <= 0) throw new ArgumentException($"SftBatchSource: batch ({batch}) and context ({context}) must be positive.");
        var tooLong = examples.Select((e, i) => (e, i)).FirstOrDefault(p => p.e.Pairs > context || p.e.Pairs < 1);
        if (tooLong.e is not null) throw new ArgumentException($"SftBatchSource: session {tooLong.i} has {tooLong.e.Ids.Length} tokens; a row holds 2..{context + 1}.");
        if (mixRatio is < 0 or > 1) throw new ArgumentException($"SftBatchSource: the data-mix ratio must be in [0, 1], got {mixRatio}.");
        _examples = examples; Batch = batch; Context = context; Pack = pack; _seed = seed;
        _pretrain = pretrain; _mixRatio = pretrain is null ? 0 : mixRatio;
        _rng = new Generator(seed ^ 0x5f7);
        StartEpoch(0);
    }

    /// <summary>Epoch, next session, this source's RNG state and the pretraining sampler's.</summary>
    public ulong[] State
    {
        get => [(ulong)_epoch, (ulong)_cursor, .. _rng.GetState(), .. (_pretrain?.State ?? [])];
        set
        {
            int n = _rng.GetState().Length;
            StartEpoch((long)value[0]);
            _cursor = (int)value[1];
            _rng.SetState(value[2..(2 + n)]);
            if (_pretrain is not null) _pretrain.State = value[(2 + n)..];
        }
    }

    private void StartEpoch(long epoch)
    {
        _epoch = epoch; _cursor = 0;
        var g = new Generator(_seed + (ulong)epoch * 0x9E3779B97F4A7C15UL);
        _order = Enumerable.Range(0, _examples.Count).ToArray();
        for (int i = _order.Length - 1; i > 0; i--) { int j = g.NextInt(i + 1); (_order[i], _order[j]) = (_order[j], _order[i]); }
    }

    private SftExample Peek() { if (_cursor >= _order.Length) StartEpoch(_epoch + 1); return _examples[_order[_cursor]]; }

    public SftBatch Next()
    {
        int t = Context, n = Batch * t;
        var x = new int[n]; var y = new int[n]; var pos = new int[n]; var seg = new int[n];
        var session = new int[n]; var turn = new int[n];
        Array.Fill(y, -100); Array.Fill(session, -1); Array.Fill(turn, -1);
        int sessions = 0;
        bool packed = false;
        for (int b = 0; b < Batch; b++)
        {
            int p = 0, segId = 0;
            do
            {
                var e = Peek();
                if (p > 0 && p + e.Pairs > t) break;
                _cursor++;
                segId++;
                var labels = e.Labels(); var turns = e.LabelTurns();
                for (int i = 0; i < e.Pairs; i++)
                {
                    int at = b * t + p + i;
                    x[at] = e.Ids[i]; y[at] = labels[i]; pos[at] = i; seg[at] = segId; session[at] = sessions; turn[at] = turns[i];
                }
                p += e.Pairs; sessions++; TokensServed += e.Pairs;
                if (segId > 1) packed = true;
            } while (Pack && p < t);
        }
        (Tensor, Tensor)? pretrain = _pretrain is not null && _rng.NextDouble() < _mixRatio ? _pretrain.Next() : null;
        return new SftBatch(Tensor.FromArray(x, Batch, t), Tensor.FromArray(y, Batch, t), Tensor.FromArray(pos, Batch, t),
            packed ? Tensor.FromArray(seg, Batch, t) : null, session, turn, pretrain, _rng.NextUInt64());
    }
}
