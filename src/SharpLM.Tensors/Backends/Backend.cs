// Backend: the process-wide current backend (CPU by default) and a scoped override for tests and tools.
// The override is async-local, so a scope covers the code inside it (and tasks it starts) without leaking
// into tests running on other threads; while no scope is open anywhere, Current is one static read.
namespace SharpLM.Tensors.Backends;

/// <summary>Which <see cref="IBackend"/> new tensors and <see cref="Ops"/> use.</summary>
public static class Backend
{
    private static readonly AsyncLocal<IBackend?> Scoped = new();
    private static int _openScopes;

    /// <summary>The CPU backend (the default).</summary>
    public static IBackend Cpu => CpuBackend.Instance;

    /// <summary>The backend for the calling code: the innermost <see cref="Use"/> scope's, else the CPU backend.</summary>
    public static IBackend Current
    {
        get
        {
            if (Volatile.Read(ref _openScopes) == 0) return CpuBackend.Instance;
            return Scoped.Value ?? CpuBackend.Instance;
        }
    }

    /// <summary>Makes <paramref name="backend"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new Scope(backend);
    }

    private sealed class Scope : IDisposable
    {
        private readonly IBackend? _saved;
        private bool _done;

        public Scope(IBackend backend)
        {
            _saved = Scoped.Value;
            Interlocked.Increment(ref _openScopes);
            Scoped.Value = backend;
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Scoped.Value = _saved;
            Interlocked.Decrement(ref _openScopes);
        }
    }
}
