// Module: the base of every layer and model. Parameters and child modules are registered under explicit
// names (the Hugging Face names of each family), so the state dict is a declared table rather than a
// reflection over C# field names. Train/eval mode propagates to children.
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Modules;

/// <summary>A layer or model with named parameters and children.</summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Param)> _params = new();
    private readonly List<(string Name, Module Child)> _children = new();

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

    /// <summary>Registers a child module; its parameters appear as "name.child_param".</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        if (_children.Any(c => c.Name == name)) throw new ArgumentException($"{GetType().Name}: child '{name}' registered twice.");
        _children.Add((name, module));
        return module;
    }

    /// <summary>All parameters with their dotted names, in registration order.</summary>
    public IEnumerable<(string Name, Tensor Param)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _params) yield return (Join(prefix, n), p);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedParameters(Join(prefix, n))) yield return item;
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
    public void Train() { Training = true; foreach (var (_, c) in _children) c.Train(); }

    /// <summary>Switches this module and its children to evaluation mode.</summary>
    public void Eval() { Training = false; foreach (var (_, c) in _children) c.Eval(); }

    /// <summary>Sets all parameter gradients to zero.</summary>
    public void ZeroGrad() { foreach (var (_, p) in NamedParameters()) p.ZeroGrad(); }

    public void Dispose()
    {
        foreach (var (_, p) in _params) { p.Grad?.Dispose(); p.Dispose(); }
        foreach (var (_, c) in _children) c.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Normal(0, std) initialisation, as GPT-2/LLaMA reference code does for weights.</summary>
    protected static Tensor Normal(int[] shape, Generator gen, float std) => Tensor.Randn(shape, gen, std);
}
