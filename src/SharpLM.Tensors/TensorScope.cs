// TensorScope: deterministic release of every tensor created inside a block (like TorchSharp's
// NewDisposeScope). A training step runs inside a scope; the tensors it must outlive are moved out with
// Keep. Scopes nest per thread.
namespace SharpLM.Tensors;

/// <summary>Disposes every tensor created on this thread while it is the innermost scope.</summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = new(256);
    private bool _disposed;

    private TensorScope() { _outer = _current; _current = this; }

    /// <summary>Opens a scope on the current thread.</summary>
    public static TensorScope Begin() => new();

    internal static TensorScope? Current => _current;

    /// <summary>Until disposed, new tensors on this thread belong to no scope (for buffers that outlive a step: parameters, caches).</summary>
    public static IDisposable Outside() => new OutsideHandle();

    private sealed class OutsideHandle : IDisposable
    {
        private readonly TensorScope? _saved = _current;
        private bool _done;
        public OutsideHandle() => _current = null;
        public void Dispose() { if (_done) return; _done = true; _current = _saved; }
    }

    internal void Register(Tensor t) => _owned.Add(t);

    /// <summary>Moves <paramref name="t"/> out of this scope into the enclosing one (or makes it unowned).</summary>
    public Tensor Keep(Tensor t)
    {
        int i = _owned.LastIndexOf(t);
        if (i >= 0) _owned.RemoveAt(i);
        _outer?.Register(t);
        return t;
    }

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
        _current = _outer;
    }
}
