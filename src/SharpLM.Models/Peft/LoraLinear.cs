// LoraLinear: PEFT's lora.Linear — a base projection plus named low-rank adapters (Hu et al. 2021):
//   h = W x + b + s · B A dropout(x),  A [r, in], B [out, r], s = alpha/r (rsLoRA: alpha/√r),
// and DoRA (Liu et al. 2024) as PEFT implements it: a learned magnitude m [out] and the row norm of the adapted weight
// ‖W + s·B A‖ (per output row, computed with B A detached and then treated as a constant):
//   h = y + (m/‖·‖ − 1) · (y − b) + (m/‖·‖) · s · B A x   (y the base output; without dropout),
//   h = y + (m/‖·‖ − 1) · W dropout(x) + (m/‖·‖) · s · B A dropout(x)   (with dropout, in training).
// The base Linear is registered under an empty child name, so its parameters keep their names ("….q_proj.weight");
// the adapters' are PEFT's internal names ("….q_proj.lora_A.default.weight"). GPT-2's Conv1D ([in, out]) is PEFT's
// fan_in_fan_out: A and B keep their shapes, the delta is transposed when merged.
using SharpLM.Models.Modules;
using SharpLM.Tensors;
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>A Linear with LoRA / DoRA adapters.</summary>
public sealed class LoraLinear : Module, IPeftLayer
{
    /// <summary>One adapter's tensors and settings.</summary>
    public sealed class Adapter
    {
        public required Tensor A { get; init; }
        public required Tensor B { get; init; }
        /// <summary>DoRA's magnitude [out], or null for plain LoRA.</summary>
        public Tensor? Magnitude { get; init; }
        public required float Scaling { get; init; }
        public required float Dropout { get; init; }
        public int Rank => A.Shape[0];
    }

    private readonly Linear _base;
    private readonly Dictionary<string, Adapter> _adapters = new(StringComparer.Ordinal);
    private readonly List<string> _merged = new();
    private readonly Dictionary<string, float[]> _doraMergeNorms = new(StringComparer.Ordinal);
    private readonly Generator _dropoutSeeds;
    private IReadOnlyList<string> _active = [];

    public LoraLinear(Linear baseLayer, ulong seed)
    {
        _base = Child("", baseLayer);
        _dropoutSeeds = new Generator(seed ^ 0x10ba);
    }

    public string PeftType => "LORA";
    public Linear BaseLayer => _base;
    public int InFeatures => _base.InFeatures;
    public int OutFeatures => _base.OutFeatures;
    public IReadOnlyCollection<string> AdapterNames => _adapters.Keys;
    public IReadOnlyList<string> ActiveAdapters { get => _active; set => _active = value.ToArray(); }
    public bool Merged => _merged.Count > 0;

    /// <summary>The adapter called <paramref name="name"/>.</summary>
    public Adapter this[string name] => _adapters.TryGetValue(name, out var a) ? a : throw new KeyNotFoundException($"LoraLinear: no adapter '{name}'.");

    /// <summary>Adds an adapter with PEFT's initialisation (<paramref name="gen"/> draws A, and B unless it starts at zero).</summary>
    public Adapter AddAdapter(string name, int rank, float scaling, float dropout, bool dora, LoraInit init, Generator gen)
    {
        if (_adapters.ContainsKey(name)) throw new ArgumentException($"LoraLinear: adapter '{name}' is already attached here.");
        using var outside = TensorScope.Outside();
        int fin = InFeatures, fout = OutFeatures;
        float boundA = 1f / MathF.Sqrt(fin);                                      // kaiming_uniform_(a=√5) on [r, in]
        var a = init == LoraInit.Gaussian ? Tensor.Randn([rank, fin], gen, 1f / rank) : Tensor.Rand([rank, fin], gen, -boundA, boundA);
        float boundB = 1f / MathF.Sqrt(rank);                                     // nn.Linear's default on [out, r]
        var b = init == LoraInit.Random ? Tensor.Rand([fout, rank], gen, -boundB, boundB) : Tensor.Zeros([fout, rank]);
        Tensor? m = null;
        if (dora)
        {
            var norms = RowNorms(WeightRows(), a.ToArray(), b.ToArray(), rank, scaling);
            m = Tensor.FromArray(norms, fout);
        }
        var ad = new Adapter
        {
            A = Parameter($"lora_A.{name}.weight", a), B = Parameter($"lora_B.{name}.weight", b),
            Magnitude = m is null ? null : Parameter($"lora_magnitude_vector.{name}.weight", m),
            Scaling = scaling, Dropout = dropout,
        };
        _adapters[name] = ad;
        return ad;
    }

    /// <summary>Removes an adapter (unmerging it first if merged) and disposes its tensors.</summary>
    public void RemoveAdapter(string name)
    {
        var ad = this[name];
        if (_merged.Contains(name)) Unmerge();
        RemoveParameter($"lora_A.{name}.weight");
        RemoveParameter($"lora_B.{name}.weight");
        if (ad.Magnitude is not null) RemoveParameter($"lora_magnitude_vector.{name}.weight");
        foreach (var t in new[] { ad.A, ad.B, ad.Magnitude }) { t?.Grad?.Dispose(); t?.Dispose(); }
        _adapters.Remove(name);
        _active = _active.Where(n => n != name).ToArray();
    }

    public Tensor Forward(Tensor x)
    {
        // The common training case — one plain LoRA adapter, no dropout at work — runs fused (Ops.LowRankLinear: the
        // low-rank product accumulated into the base GEMM's output; the base module's own forward hooks do not run then).
        if (!Merged && _active.Count(_adapters.ContainsKey) == 1 && _adapters[_active.First(_adapters.ContainsKey)] is { Magnitude: null } one && !(Training && one.Dropout > 0))
            return Hooked(x, Ops.LowRankLinear(x, _base.Weight, _base.Bias, one.A, one.B, one.Scaling, _base.Conv1D));
        var y = _base.Forward(x);                                                 // (…, out), with bias
        if (Merged) return Hooked(x, y);
        foreach (var name in _active)
        {
            if (!_adapters.TryGetValue(name, out var ad)) continue;
            bool drop = Training && ad.Dropout > 0;
            var xd = drop ? Ops.Dropout(x, ad.Dropout, _dropoutSeeds.NextUInt64(), true) : x;
            var lora = Ops.Matmul(Ops.MulScalar(Ops.Matmul(xd, ad.A.Transpose(0, 1)), ad.Scaling), ad.B.Transpose(0, 1)); // s·B A x: (…, out)
            if (ad.Magnitude is null) { y = y + lora; continue; }
            var scale = Ops.Div(ad.Magnitude, DoraNorm(ad));                     // m/‖W + s·BA‖ (norm constant): (out)
            var baseNoBias = drop ? Ops.Matmul(xd, _base.Conv1D ? _base.Weight : _base.Weight.Transpose(0, 1))
                                  : _base.Bias is null ? y : y - _base.Bias;
            y = y + Ops.AddScalar(scale, -1f) * baseNoBias + scale * lora;
        }
        return Hooked(x, y);
    }

    /// <summary>‖W + s·B A‖ per output row, outside autograd.</summary>
    private Tensor DoraNorm(Adapter ad)
    {
        using var _ = GradMode.NoGrad();
        var w = _base.Conv1D ? _base.Weight.Transpose(0, 1) : _base.Weight;         // (out, in)
        var eff = w + Ops.MulScalar(Ops.Matmul(ad.B, ad.A), ad.Scaling);           // (out, in)
        return Ops.Sqrt(Ops.Sum(eff * eff, 1));                                   // (out)
    }

    /// <summary>The base weight as [out, in] row-major values.</summary>
    private float[] WeightRows()
    {
        var w = _base.Weight.ToArray();
        if (!_base.Conv1D) return w;
        int fin = InFeatures, fout = OutFeatures;
        var r = new float[w.Length];
        for (int i = 0; i < fin; i++) for (int o = 0; o < fout; o++) r[o * fin + i] = w[i * fout + o];
        return r;
    }

    /// <summary>s·B A as [out, in] row-major values (in double, rounded once).</summary>
    private float[] Delta(Adapter ad)
    {
        var a = ad.A.ToArray(); var b = ad.B.ToArray();
        return DeltaOf(a, b, ad.Rank, InFeatures, OutFeatures, ad.Scaling);
    }

    private static float[] DeltaOf(float[] a, float[] b, int r, int fin, int fout, float s)
    {
        var d = new float[fout * fin];
        for (int o = 0; o < fout; o++)
            for (int i = 0; i < fin; i++)
            {
                double acc = 0;
                for (int k = 0; k < r; k++) acc += (double)b[o * r + k] * a[k * fin + i];
                d[o * fin + i] = (float)(s * acc);
            }
        return d;
    }

    private float[] RowNorms(float[] wRows, float[] a, float[] b, int r, float s)
    {
        int fin = InFeatures, fout = OutFeatures;
        var d = DeltaOf(a, b, r, fin, fout, s);
        var n = new float[fout];
        for (int o = 0; o < fout; o++)
        {
            double ss = 0;
            for (int i = 0; i < fin; i++) { double v = wRows[o * fin + i] + d[o * fin + i]; ss += v * v; }
            n[o] = (float)Math.Sqrt(ss);
        }
        return n;
    }

    /// <summary>Applies f(o, i, old) to every base weight element addressed as [out, in].</summary>
    private void UpdateWeight(Func<int, int, float, float> f)
    {
        var w = _base.Weight.AsSpan();
        int fin = InFeatures, fout = OutFeatures;
        for (int o = 0; o < fout; o++)
            for (int i = 0; i < fin; i++)
            {
                int idx = _base.Conv1D ? i * fout + o : o * fin + i;
                w[idx] = f(o, i, w[idx]);
            }
    }

    /// <summary>Merges the active adapters into the base weight.</summary>
    public void Merge() { foreach (var name in _active) if (_adapters.ContainsKey(name)) MergeAdapter(name); }

    /// <summary>True when adapter <paramref name="name"/> is merged into the base weight.</summary>
    public bool IsMerged(string name) => _merged.Contains(name);

    /// <summary>Forgets that <paramref name="name"/> was merged, leaving the weight as it is (merge and unload).</summary>
    internal void ForgetMerge(string name) { _merged.Remove(name); _doraMergeNorms.Remove(name); }

    /// <summary>Merges one adapter: W += s·B A (DoRA: W ← m/‖W + s·B A‖ · (W + s·B A), the norm kept for unmerge).</summary>
    public void MergeAdapter(string name)
    {
        var ad = this[name];
        if (_merged.Contains(name)) return;
        var d = Delta(ad);
        int fin = InFeatures;
        if (ad.Magnitude is null) UpdateWeight((o, i, w) => w + d[o * fin + i]);
        else
        {
            var norms = RowNorms(WeightRows(), ad.A.ToArray(), ad.B.ToArray(), ad.Rank, ad.Scaling);
            var m = ad.Magnitude.ToArray();
            _doraMergeNorms[name] = norms;
            UpdateWeight((o, i, w) => m[o] / norms[o] * (w + d[o * fin + i]));
        }
        _merged.Add(name);
    }

    /// <summary>Takes the merged adapters back out of the base weight (last merged first).</summary>
    public void Unmerge()
    {
        for (int k = _merged.Count - 1; k >= 0; k--)
        {
            var ad = _adapters[_merged[k]];
            var d = Delta(ad);
            int fin = InFeatures;
            if (ad.Magnitude is null) UpdateWeight((o, i, w) => w - d[o * fin + i]);
            else
            {
                var norms = _doraMergeNorms[_merged[k]];
                var m = ad.Magnitude.ToArray();
                UpdateWeight((o, i, w) => w / (m[o] / norms[o]) - d[o * fin + i]);
                _doraMergeNorms.Remove(_merged[k]);
            }
        }
        _merged.Clear();
    }
}
