// Module: the base of every layer and model. Parameters and child modules are registered under explicit
// names (the Hugging Face names of each family), so the state dict is a declared table rather than a
// reflection over C# field names. Train/eval mode propagates to children. Children registered through
// `Slot` can be swapped by dotted-path pattern (`Replace`, for PEFT wrappers); forward hooks attach by the
// same patterns (ModuleTree.cs holds both).
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>A layer or model with named parameters and children.</summary>
public abstract partial class Module : IDisposable
{
    private readonly List<(string Name, Tensor Param)> _params = new();
    private readonly List<ChildEntry> _children = new();

    /// <summary>One registered child: its name, the module now there, and (for slots) the type the parent reads it as.</summary>
    private sealed class ChildEntry(string name, Module module, Type? slotType)
    {
        public string Name { get; } = name;
        public Module Module { get; set; } = module;
        /// <summary>Null: the parent holds the module directly, so it cannot be replaced.</summary>
        public Type? SlotType { get; } = slotType;
    }

    /// <summary>True in training mode (dropout active).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter (a leaf that requires grad) under <paramref name="name"/>.</summary>
    protected Tensor Parameter(string name, Tensor value)
    {
        if (_params.Any(p => p.Name == name)) throw new ArgumentException($"{GetType().Name}: parameter '{name}' registered twice.");
        value.RequiresGrad = true;
        _params.Add((name, value));
        return value;
    }

    /// <summary>Unregisters a parameter (a PEFT wrapper dropping one of its adapters); the caller owns the tensor after this.</summary>
    protected void RemoveParameter(string name)
    {
        if (_params.RemoveAll(p => p.Name == name) == 0) throw new ArgumentException($"{GetType().Name}: no parameter '{name}' to remove.");
    }

    /// <summary>Registers a child module; its parameters appear as "name.child_param".</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        AddChild(name, module, null);
        return module;
    }

    /// <summary>
    /// Registers a replaceable child that the parent reads as <typeparamref name="T"/> through the returned slot
    /// (never a captured reference), so `Replace` can put a wrapper there.
    /// </summary>
    protected ChildSlot<T> Slot<T>(string name, Module module) where T : class
    {
        if (module is not T) throw new ArgumentException($"{GetType().Name}: child '{name}' ({module.GetType().Name}) is not a {typeof(T).Name}.");
        var entry = AddChild(name, module, typeof(T));
        return new ChildSlot<T>(() => entry.Module);
    }

    private ChildEntry AddChild(string name, Module module, Type? slotType)
    {
        if (_children.Any(c => c.Name == name)) throw new ArgumentException($"{GetType().Name}: child '{name}' registered twice.");
        var e = new ChildEntry(name, module, slotType);
        _children.Add(e);
        return e;
    }

    /// <summary>A parent's handle on a replaceable child: <see cref="Value"/> is whatever module is registered now.</summary>
    protected sealed class ChildSlot<T> where T : class
    {
        private readonly Func<Module> _current;
        internal ChildSlot(Func<Module> current) => _current = current;
        /// <summary>The module registered under the slot's name now.</summary>
        public T Value => (T)(object)_current();
    }

    /// <summary>All parameters with their dotted names, in registration order.</summary>
    public IEnumerable<(string Name, Tensor Param)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _params) yield return (Join(prefix, n), p);
        foreach (var e in _children)
            foreach (var item in e.Module.NamedParameters(Join(prefix, e.Name))) yield return item;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + "." + name;

    /// <summary>The parameters as a name → tensor map (shares storage).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Name, p => p.Param);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => NamedParameters().Sum(p => p.Param.Numel);

    /// <summary>Copies values into the parameters by name. Every parameter must be present with the same shape; unknown names are an error unless <paramref name="strict"/> is false.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        foreach (var (name, p) in own)
        {
            if (!state.TryGetValue(name, out var src))
                throw new KeyNotFoundException($"LoadStateDict: missing parameter '{name}' (expected shape {ShapeUtil.Format(p.Shape)}).");
            if (!ShapeUtil.SameShape(src.Shape, p.Shape))
                throw new ArgumentException($"LoadStateDict: parameter '{name}' has shape {ShapeUtil.Format(src.Shape)} in the checkpoint, the model expects {ShapeUtil.Format(p.Shape)}.");
            p.CopyFrom(src);
        }
        if (strict)
        {
            var extra = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (extra.Count > 0) throw new ArgumentException($"LoadStateDict: unexpected parameters in the checkpoint: {string.Join(", ", extra.Take(10))}{(extra.Count > 10 ? ", …" : "")}.");
        }
    }

    /// <summary>Switches this module and its children to training mode.</summary>
    public void Train() { Training = true; foreach (var e in _children) e.Module.Train(); }

    /// <summary>Switches this module and its children to evaluation mode.</summary>
    public void Eval() { Training = false; foreach (var e in _children) e.Module.Eval(); }

    /// <summary>Sets all parameter gradients to zero.</summary>
    public void ZeroGrad() { foreach (var (_, p) in NamedParameters()) p.ZeroGrad(); }

    public void Dispose()
    {
        foreach (var (_, p) in _params) { p.Grad?.Dispose(); p.Dispose(); }
        foreach (var e in _children) e.Module.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Normal(0, std) initialisation, as GPT-2/LLaMA reference code does for weights.</summary>
    protected static Tensor Normal(int[] shape, Generator gen, float std) => Tensor.Randn(shape, gen, std);
}
