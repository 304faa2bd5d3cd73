// Module tree operations by dotted path: listing submodules, replacing children by pattern (how PEFT wraps a
// model without forking it) and forward hooks (named activation taps for debugging dumps and for adapters
// that need a layer's input). A module with no hook pays one null check per forward.
using SharpLM.Tensors;

namespace SharpLM.Models.Modules;

/// <summary>Sees one forward call of a hooked module: its dotted path, its main input and its output.</summary>
public delegate void ForwardHook(string name, Tensor input, Tensor output);

public abstract partial class Module
{
    private List<(string Name, ForwardHook Hook, object Handle)>? _hooks;

    /// <summary>Every submodule with its dotted path (depth first, registration order); the module itself is not listed.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        foreach (var e in _children)
        {
            string path = Join(prefix, e.Name);
            yield return (path, e.Module);
            foreach (var item in e.Module.NamedModules(path)) yield return item;
        }
    }

    /// <summary>
    /// Replaces every submodule whose path matches <paramref name="pattern"/> (see <see cref="ModulePattern"/>)
    /// by <paramref name="make"/>(old). The old module is not disposed (a wrapper usually keeps it); the new one
    /// takes this tree's train/eval mode; matches are not searched inside the replacement. Returns the count;
    /// throws naming the pattern when nothing matches, when a parent holds the match directly (not through a
    /// slot), or when the replacement is not of the type the parent reads.
    /// </summary>
    public int Replace(string pattern, Func<Module, Module> make)
    {
        var p = new ModulePattern(pattern);
        int n = ReplaceIn("", p, make);
        if (n == 0) throw new InvalidOperationException($"Replace: no module matches '{pattern}'.");
        return n;
    }

    /// <summary>Typed form of <see cref="Replace(string, Func{Module, Module})"/>: every match must be a <typeparamref name="T"/>.</summary>
    public int Replace<T>(string pattern, Func<T, Module> make) where T : Module =>
        Replace(pattern, m => m is T t ? make(t) : throw new InvalidOperationException($"Replace '{pattern}': matched a {m.GetType().Name}, expected {typeof(T).Name}."));

    private int ReplaceIn(string prefix, ModulePattern p, Func<Module, Module> make)
    {
        int n = 0;
        foreach (var e in _children)
        {
            string path = Join(prefix, e.Name);
            if (!p.Matches(path)) { n += e.Module.ReplaceIn(path, p, make); continue; }
            if (e.SlotType is null)
                throw new InvalidOperationException($"Replace '{p}': {path} ({e.Module.GetType().Name}) is held directly by its {GetType().Name} and cannot be replaced.");
            var fresh = make(e.Module) ?? throw new InvalidOperationException($"Replace '{p}': the factory returned null for {path}.");
            if (!e.SlotType.IsInstanceOfType(fresh))
                throw new InvalidOperationException($"Replace '{p}': {path} is read as {e.SlotType.Name}; the replacement {fresh.GetType().Name} is not one.");
            if (Training) fresh.Train(); else fresh.Eval();
            e.Module = fresh;
            n++;
        }
        return n;
    }

    /// <summary>
    /// Calls <paramref name="hook"/> after each forward of every submodule whose path matches <paramref name="pattern"/>
    /// (matched now; modules put in later by Replace are not hooked). Dispose the handle to remove it. Throws
    /// naming the pattern when nothing matches.
    /// </summary>
    public IDisposable AddForwardHook(string pattern, ForwardHook hook)
    {
        var p = new ModulePattern(pattern);
        var hooked = NamedModules().Where(m => p.Matches(m.Name)).ToList();
        if (hooked.Count == 0) throw new InvalidOperationException($"AddForwardHook: no module matches '{pattern}'.");
        var handle = new HookHandle(hooked.Select(h => h.Module).ToList());
        foreach (var (name, m) in hooked) (m._hooks ??= new()).Add((name, hook, handle));
        return handle;
    }

    /// <summary>Every forward ends with this: runs the hooks on (input, output) and returns the output.</summary>
    protected Tensor Hooked(Tensor input, Tensor output)
    {
        if (_hooks is null) return output;
        foreach (var (name, hook, _) in _hooks.ToArray()) hook(name, input, output);
        return output;
    }

    private sealed class HookHandle(List<Module> modules) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            foreach (var m in modules)
            {
                m._hooks?.RemoveAll(h => ReferenceEquals(h.Handle, this));
                if (m._hooks is { Count: 0 }) m._hooks = null;
            }
        }
    }
}
