// WorkerPool: one persistent set of threads for every CPU kernel (GEMM, attention, elementwise).
// Kernels hand it a count of independent work items; items are claimed dynamically with an atomic
// counter. Each item's result depends only on its index, never on which thread ran it, so results are
// deterministic for any thread count. Workers spin briefly between jobs (kernels come in bursts during a
// training step) and then park on an event, so an idle process does not burn a core.
using System.Runtime.CompilerServices;

namespace SharpLM.Tensors.Threading;

/// <summary>A persistent pool of worker threads that runs data-parallel loops without allocating.</summary>
public sealed unsafe class WorkerPool
{
    /// <summary>The process-wide pool used by all CPU kernels.</summary>
    public static WorkerPool Shared { get; private set; } = new(Environment.ProcessorCount);

    /// <summary>Replaces the shared pool with one of <paramref name="threads"/> threads (1 = run on the caller only).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "WorkerPool.SetThreads: expected at least 1 thread.");
        if (threads == Shared.Threads) return;
        var old = Shared;
        Shared = new WorkerPool(threads);
        old.Shutdown();
    }

    private readonly Thread[] _workers;
    private readonly ManualResetEventSlim[] _wake;
    private readonly object _runLock = new();
    private volatile int _generation;
    private volatile bool _stopping;
    // How many SpinWait rounds a worker spins (mostly yielding) before parking. A parked thread took
    // 0.5–4 ms to wake on the 2-vCPU VMs we measure on, longer than many kernels of a training step, so
    // workers stay hot across a step's burst of kernels and park only when the process goes idle.
    // SHARPLM_SPIN overrides it (200 ≈ park almost at once).
    private static readonly int SpinLimit = int.TryParse(Environment.GetEnvironmentVariable("SHARPLM_SPIN"), out var s) && s >= 0 ? s : 20000;
    private int _next;
    private int _count;
    private int _pending;
    private delegate*<int, void*, void> _fn;
    private void* _ctx;
    private Action<int>? _action;
    private Exception? _error;

    /// <summary>Number of threads that execute work, including the calling thread.</summary>
    public int Threads { get; }

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _workers = new Thread[Threads - 1];
        _wake = new ManualResetEventSlim[Threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _wake[i] = new ManualResetEventSlim(false);
            int id = i;
            _workers[i] = new Thread(() => WorkerLoop(id)) { IsBackground = true, Name = $"sharplm-worker-{i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Runs <c>fn(i, ctx)</c> for i in [0, count) on all threads; returns when every item is done.</summary>
    public void For(int count, delegate*<int, void*, void> fn, void* ctx)
    {
        if (count <= 0) return;
        if (count == 1 || Threads == 1)
        {
            for (int i = 0; i < count; i++) fn(i, ctx);
            return;
        }
        lock (_runLock)
        {
            _fn = fn; _ctx = ctx; _action = null;
            Run(count);
        }
    }

    /// <summary>Runs <paramref name="body"/>(i) for i in [0, count) on all threads. Allocates only if the caller's lambda does.</summary>
    public void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (count == 1 || Threads == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        lock (_runLock)
        {
            _fn = null; _ctx = null; _action = body;
            Run(count);
        }
    }

    private void Run(int count)
    {
        _error = null;
        _count = count;
        _next = 0;
        // Every worker joins every job (and checks in once), so a late worker can never be miscounted.
        _pending = _workers.Length;
        Interlocked.Increment(ref _generation);
        for (int i = 0; i < _workers.Length; i++) _wake[i].Set();
        Drain();
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) > 0) spin.SpinOnce(-1);
        if (_error is { } e) throw new AggregateException("A parallel kernel failed.", e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Drain()
    {
        try
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < _count)
            {
                if (_action is { } a) a(i); else _fn(i, _ctx);
            }
        }
        catch (Exception e)
        {
            _error ??= e;
            Volatile.Write(ref _next, int.MaxValue / 2);
        }
    }

    private void WorkerLoop(int id)
    {
        int seen = 0;
        while (true)
        {
            // Spin a little for back-to-back kernels, then park.
            var spin = new SpinWait();
            while (_generation == seen && !_stopping)
            {
                if (spin.Count > SpinLimit) { _wake[id].Wait(); }
                else spin.SpinOnce(-1);
            }
            if (_stopping) return;
            seen = _generation;
            _wake[id].Reset();
            Drain();
            Interlocked.Decrement(ref _pending);
        }
    }

    private void Shutdown()
    {
        _stopping = true;
        foreach (var w in _wake) w.Set();
    }
}
