// HoulsbyAdapter: attaches Houlsby bottleneck adapters (HoulsbyLinear) after the attention output projection and
// after the FFN down projection of every layer. PEFT has no such method, so peft_type is SharpLM's "HOULSBY"; the
// config uses AdapterHub/PEFT-style names:
//   reduction_factor (bottleneck = hidden / reduction_factor, default 16) or adapter_size (the bottleneck itself),
//   non_linearity (relu, gelu, gelu_new, silu/swish, tanh; default relu),
//   target_modules ("attn", "ffn" — the family's projections — or module-name patterns of projections; default both).
// Tensors: base_model.model.<projection path>.adapter_down.{weight,bias} and .adapter_up.{weight,bias}.
using System.Text.Json.Nodes;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>Houlsby adapters on a model's sub-layer outputs.</summary>
public sealed class HoulsbyAdapter : IPeftAdapter
{
    public const string Type = "HOULSBY";

    private readonly DecoderModel _model;
    private readonly List<(string Path, HoulsbyLinear Module)> _wrapped;
    private readonly JsonObject _config;

    public string PeftType => Type;
    public string Name { get; }
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The wrapped projections by module path.</summary>
    public IReadOnlyList<(string Path, HoulsbyLinear Module)> Wrapped => _wrapped;

    private HoulsbyAdapter(DecoderModel model, string name, List<(string, HoulsbyLinear)> wrapped, JsonObject config)
    {
        _model = model; Name = name; _wrapped = wrapped; _config = config;
        Parameters = wrapped.SelectMany(w => new[] { w.Item2.Down, w.Item2.Up }).SelectMany(l => l.NamedParameters().Select(p => p.Param)).ToList();
    }

    /// <summary>The activations non_linearity may name.</summary>
    public static Func<Tensor, Tensor> Activation(string name) => name switch
    {
        "relu" => Ops.Relu,
        "gelu" => x => Ops.Gelu(x),
        "gelu_new" => x => Ops.Gelu(x, tanhApproximation: true),
        "silu" or "swish" => Ops.Silu,
        "tanh" => Ops.Tanh,
        _ => throw new ArgumentException($"adapter_config.json: non_linearity '{name}' is not supported (relu, gelu, gelu_new, silu, swish, tanh)."),
    };

    /// <summary>PeftMethods entry: attaches the adapter an adapter_config.json describes.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed)
    {
        var f = new PeftConfigFields(config, Type);
        int? size = f.Int("adapter_size"), factor = f.Int("reduction_factor");
        var act = f.String("non_linearity", "relu")!;
        var targets = f.Strings("target_modules") ?? ["attn", "ffn"];
        f.RequireEmpty("modules_to_save", "SharpLM saves only the adapter's own tensors");
        f.Done();
        return Attach(model, size, factor, act, targets, adapterName, seed);
    }

    /// <summary>
    /// Wraps the <paramref name="targets"/> projections of <paramref name="model"/>: bottleneck <paramref name="adapterSize"/>,
    /// or hidden / <paramref name="reductionFactor"/> (16 when both are null).
    /// </summary>
    public static HoulsbyAdapter Attach(DecoderModel model, int? adapterSize, int? reductionFactor, string nonLinearity,
        IReadOnlyList<string> targets, string adapterName = "default", ulong seed = 0)
    {
        if (adapterSize is not null && reductionFactor is not null)
            throw new ArgumentException("adapter_config.json: give adapter_size or reduction_factor, not both.");
        int dim = model.Config.Dim;
        int bottleneck = adapterSize ?? dim / (reductionFactor ?? 16);
        if (bottleneck < 1 || reductionFactor is < 1)
            throw new ArgumentException($"adapter_config.json: the bottleneck ({(adapterSize is null ? $"hidden size {dim} / reduction_factor {reductionFactor}" : $"adapter_size {adapterSize}")}) must be at least 1.");
        var act = Activation(nonLinearity);
        if (targets.Count == 0) throw new ArgumentException("adapter_config.json: target_modules is empty.");
        var n = DecoderNames.For(model.Config.Family);
        var patterns = targets.SelectMany(t => t switch
        {
            "attn" => Enumerable.Range(0, model.Config.Layers).Select(i => string.Format(n.Layer, i) + "." + n.O),
            "ffn" => Enumerable.Range(0, model.Config.Layers).Select(i => string.Format(n.Layer, i) + "." + n.Down),
            _ => [t],
        }).ToList();
        var gen = new Generator(seed);
        var wrapped = new List<(string, HoulsbyLinear)>();
        using var outside = TensorScope.Outside(); // adapter weights outlive any step scope
        try
        {
            foreach (var pattern in patterns)
            {
                var p = new ModulePattern(pattern);
                var paths = model.NamedModules().Where(m => p.Matches(m.Name) && m.Module is ILinearLayer and not HoulsbyLinear).Select(m => m.Name).ToList();
                if (paths.Count == 0)
                    throw new ArgumentException($"Houlsby target '{pattern}' matches no projection; projections: {string.Join(", ", model.NamedModules().Where(m => m.Module is ILinearLayer).Select(m => m.Name).Take(12))}, ….");
                foreach (var path in paths)
                    model.Replace(path, m =>
                    {
                        var h = new HoulsbyLinear(m, bottleneck, act, gen, model.Config.InitStd);
                        wrapped.Add((path, h));
                        return h;
                    });
            }
        }
        catch { Unwrap(model, wrapped); throw; }
        var config = PeftConfigFields.NewConfig(Type);
        config["adapter_size"] = adapterSize;
        config["reduction_factor"] = adapterSize is null ? reductionFactor ?? 16 : null;
        config["non_linearity"] = nonLinearity;
        config["target_modules"] = new JsonArray(targets.Select(t => (JsonNode?)t).ToArray());
        return new HoulsbyAdapter(model, adapterName, wrapped, config);
    }

    public JsonObject ConfigJson() => (JsonObject)_config.DeepClone();

    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, h) in _wrapped)
        {
            foreach (var (name, p) in h.Down.NamedParameters()) d[PeftNames.InModel(path, "adapter_down." + name)] = p;
            foreach (var (name, p) in h.Up.NamedParameters()) d[PeftNames.InModel(path, "adapter_up." + name)] = p;
        }
        return d;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => PeftState.Copy(StateDict(), state);

    public void Detach() => Unwrap(_model, _wrapped);

    private static void Unwrap(DecoderModel model, List<(string Path, HoulsbyLinear Module)> wrapped)
    {
        foreach (var (path, h) in wrapped) model.Replace(path, m => ReferenceEquals(m, h) ? h.Base : m);
        wrapped.Clear();
    }
}
