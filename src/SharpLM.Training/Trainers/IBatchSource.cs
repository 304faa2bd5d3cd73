// IBatchSource: where a Trainer gets its micro-batches. The state (an RNG state or a cursor) goes into
// checkpoints, so a resumed run draws exactly the batches the uninterrupted run would have drawn.
namespace SharpLM.Training.Trainers;

/// <summary>An endless stream of micro-batches with a saveable position.</summary>
public interface IBatchSource<TBatch>
{
    /// <summary>The next micro-batch.</summary>
    TBatch Next();

    /// <summary>Position in the stream, for exact resume.</summary>
    ulong[] State { get; set; }
}
