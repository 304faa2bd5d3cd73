// GradMode: whether ops record themselves on the tape. `using (GradMode.NoGrad()) { ... }` turns recording
// off on this thread (inference, optimizer updates, gradient computations themselves).
namespace SharpLM.Tensors.Autograd;

/// <summary>Thread-local switch for gradient recording.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when ops record on the tape.</summary>
    public static bool Enabled => _disabledDepth == 0;

    /// <summary>Disables recording until the returned handle is disposed.</summary>
    public static NoGradScope NoGrad() { _disabledDepth++; return new NoGradScope(); }

    /// <summary>Turns recording back on inside a NoGrad region (activation checkpointing recomputes under backward).</summary>
    public static EnableGradScope EnableGrad()
    {
        var saved = _disabledDepth;
        _disabledDepth = 0;
        return new EnableGradScope(saved);
    }

    /// <summary>Handle returned by <see cref="EnableGrad"/>; restores the previous depth.</summary>
    public readonly struct EnableGradScope(int saved) : IDisposable
    {
        public void Dispose() => _disabledDepth = saved;
    }

    /// <summary>Handle returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => _disabledDepth--;
    }
}
