// CpuParallel: splits a loop over rows into a few chunks per thread on the shared WorkerPool when the work
// is big enough to pay for the hand-off; small ops run inline on the caller.
using SharpLM.Tensors.Threading;

namespace SharpLM.Tensors.Cpu;

internal static class CpuParallel
{
    /// <summary>Below this many elements of work an op runs on one thread.</summary>
    public const long MinParallelWork = 1 << 15;

    /// <summary>Runs body(start, end) over [0, rows) in chunks; <paramref name="workPerRow"/> sizes the decision.</summary>
    public static void Rows(long rows, long workPerRow, Action<long, long> body)
    {
        var pool = WorkerPool.Shared;
        if (rows <= 1 || pool.Threads == 1 || rows * workPerRow < MinParallelWork) { body(0, rows); return; }
        int chunks = (int)Math.Min(rows, pool.Threads * 4L);
        long per = (rows + chunks - 1) / chunks;
        pool.For(chunks, c =>
        {
            long s = c * per, e = Math.Min(rows, s + per);
            if (s < e) body(s, e);
        });
    }
}
