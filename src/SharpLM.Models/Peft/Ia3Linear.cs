// Ia3Linear: PEFT's ia3.Linear — (IA)³ (Liu et al. 2022) learns a vector that rescales a projection: the output of a
// non-feed-forward target (k, v: ia3_l [out, 1], y = (W x + b) ⊙ l) or the input of a feed-forward target (the FFN
// down projection: ia3_l [1, in], y = W (x ⊙ l) + b). Several active adapters multiply. Merging scales the weight's
// rows (and the bias) or columns; GPT-2's Conv1D stores [in, out], so there rows and columns swap.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>A Linear with (IA)³ scaling vectors.</summary>
public sealed class Ia3Linear : Module, IPeftLayer
{
    private readonly Linear _base;
    private readonly Dictionary<string, Tensor> _vectors = new(StringComparer.Ordinal);
    private readonly List<string> _merged = new();
    private IReadOnlyList<string> _active = [];

    /// <summary>True when the input is scaled (feed-forward target), false when the output is.</summary>
    public bool IsFeedforward { get; }

    public Ia3Linear(Linear baseLayer, bool isFeedforward)
    {
        _base = Child("", baseLayer);
        IsFeedforward = isFeedforward;
    }

    public string PeftType => "IA3";
    public Linear BaseLayer => _base;
    public int InFeatures => _base.InFeatures;
    public int OutFeatures => _base.OutFeatures;
    public IReadOnlyCollection<string> AdapterNames => _vectors.Keys;
    public IReadOnlyList<string> ActiveAdapters { get => _active; set => _active = value.ToArray(); }
    public bool Merged => _merged.Count > 0;
    public bool IsMerged(string name) => _merged.Contains(name);

    /// <summary>The vector of adapter <paramref name="name"/>: [1, in] (feed-forward) or [out, 1].</summary>
    public Tensor this[string name] => _vectors.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"Ia3Linear: no adapter '{name}'.");

    public Tensor AddAdapter(string name, bool initOnes, Generator gen)
    {
        if (_vectors.ContainsKey(name)) throw new ArgumentException($"Ia3Linear: adapter '{name}' is already attached here.");
        using var outside = TensorScope.Outside();
        int[] shape = IsFeedforward ? [1, InFeatures] : [OutFeatures, 1];
        var v = Parameter($"ia3_l.{name}", initOnes ? Tensor.Ones(shape) : Tensor.Randn(shape, gen));
        _vectors[name] = v;
        return v;
    }

    public void RemoveAdapter(string name)
    {
        var v = this[name];
        if (_merged.Contains(name)) Unmerge();
        RemoveParameter($"ia3_l.{name}");
        v.Grad?.Dispose(); v.Dispose();
        _vectors.Remove(name);
        _active = _active.Where(n => n != name).ToArray();
    }

    public Tensor Forward(Tensor x)
    {
        Tensor? scale = null;
        if (!Merged)
            foreach (var name in _active)
                if (_vectors.TryGetValue(name, out var v))
                {
                    var flat = v.Reshape(v.Shape[0] * v.Shape[1]);                           // (in) or (out)
                    scale = scale is null ? flat : scale * flat;
                }
        if (scale is null) return Hooked(x, _base.Forward(x));
        return Hooked(x, IsFeedforward ? _base.Forward(x * scale) : _base.Forward(x) * scale);
    }

    public void Merge() { foreach (var n in _active) if (_vectors.ContainsKey(n)) MergeAdapter(n); }

    /// <summary>Multiplies the vector into the weight (rows and bias, or columns for a feed-forward target).</summary>
    public void MergeAdapter(string name)
    {
        if (_merged.Contains(name)) return;
        var l = this[name].ToArray();
        Scale(l, divide: false);
        _merged.Add(name);
    }

    public void Unmerge()
    {
        for (int k = _merged.Count - 1; k >= 0; k--) Scale(this[_merged[k]].ToArray(), divide: true);
        _merged.Clear();
    }

    internal void ForgetMerge(string name) => _merged.Remove(name);

    private void Scale(float[] l, bool divide)
    {
        var w = _base.Weight.AsSpan();
        int fin = InFeatures, fout = OutFeatures;
        for (int o = 0; o < fout; o++)
            for (int i = 0; i < fin; i++)
            {
                int idx = _base.Conv1D ? i * fout + o : o * fin + i;
                float f = IsFeedforward ? l[i] : l[o];
                w[idx] = divide ? w[idx] / f : w[idx] * f;
            }
        if (!IsFeedforward && _base.Bias is not null)
        {
            var b = _base.Bias.AsSpan();
            for (int o = 0; o < fout; o++) b[o] = divide ? b[o] / l[o] : b[o] * l[o];
        }
    }
}
