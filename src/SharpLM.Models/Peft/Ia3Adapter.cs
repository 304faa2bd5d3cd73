// Ia3Adapter: one named (IA)³ adapter on a decoder model — targets wrapped in Ia3Linear (or joining an existing one),
// activation as for LoRA (the first adapter on a model is active), tensors saved under PEFT's names:
//   base_model.model.<module>.ia3_l   [out, 1], or [1, in] for a feed-forward target.
using System.Text.Json.Nodes;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>An (IA)³ adapter on a model.</summary>
public sealed class Ia3Adapter : IMergeablePeftAdapter
{
    private readonly Module _model;
    private readonly List<(string Path, Ia3Linear Layer)> _layers;
    private bool _detached;

    public Ia3Config Config { get; }
    public string PeftType => "IA3";
    public string Name { get; }

    private Ia3Adapter(Module model, Ia3Config config, string name, List<(string, Ia3Linear)> layers)
    {
        _model = model; Config = config; Name = name; _layers = layers;
    }

    /// <summary>PeftMethods entry.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed) =>
        Attach(Ia3Config.FromJson(config), model, adapterName, seed);

    public static Ia3Adapter Attach(Ia3Config config, DecoderModel model, string adapterName = "default", ulong seed = 0)
    {
        config.Validate();
        string head = DecoderNames.For(model.Config.Family).LmHead;
        var hits = config.Targets.Select(model, "IA3", model.Config.TiedEmbeddings ? null : head);
        PeftLayers.CheckTargets(hits, "IA3", adapterName);
        foreach (var (path, m) in hits)
            if (m is Ia3Linear l && l.IsFeedforward != config.IsFeedforward(path))
                throw new ArgumentException($"IA3: '{path}' is a {(l.IsFeedforward ? "feed-forward" : "non-feed-forward")} target of another IA3 adapter; this config says otherwise.");
        bool first = !PeftLayers.Wrappers(model).Any();
        var active = first ? new[] { adapterName } : PeftLayers.Active(model).ToArray();
        var gen = new Generator(seed);
        var layers = new List<(string, Ia3Linear)>();
        bool conv1D = false;
        foreach (var (path, m) in hits)
        {
            var layer = m as Ia3Linear;
            if (layer is null)
            {
                layer = new Ia3Linear((Linear)m, config.IsFeedforward(path)) { ActiveAdapters = active };
                PeftLayers.Put(model, path, layer);
            }
            conv1D |= layer.BaseLayer.Conv1D;
            layer.AddAdapter(adapterName, config.InitIa3Weights, gen);
            layers.Add((path, layer));
        }
        return new Ia3Adapter(model, config with { FanInFanOut = conv1D }, adapterName, layers);
    }

    public JsonObject ConfigJson() => Config.ToJson();

    private IEnumerable<(string Key, Tensor T)> Named() =>
        _layers.Select(l => ($"{LoraAdapter.KeyPrefix}{l.Path}.ia3_l", l.Layer[Name]));

    public IReadOnlyList<Tensor> Parameters => Named().Select(n => n.T).ToList();

    public IReadOnlyDictionary<string, Tensor> StateDict() => Named().ToDictionary(n => n.Key, n => n.T, StringComparer.Ordinal);

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => PeftStateDict.Load(StateDict(), state, "IA3");

    public bool Merged => _layers.Any(l => l.Layer.IsMerged(Name));

    public void Merge() { foreach (var (_, l) in _layers) l.MergeAdapter(Name); }

    public void Unmerge() { foreach (var (_, l) in _layers) if (l.IsMerged(Name)) l.Unmerge(); }

    public void MergeAndUnload() { Merge(); Remove(keepMerged: true); }

    public void Detach() => Remove(keepMerged: false);

    private void Remove(bool keepMerged)
    {
        if (_detached) return;
        _detached = true;
        foreach (var (path, layer) in _layers)
        {
            if (keepMerged) layer.ForgetMerge(Name); else if (layer.IsMerged(Name)) layer.Unmerge();
            layer.RemoveAdapter(Name);
            if (layer.AdapterNames.Count == 0) PeftLayers.Put(_model, path, layer.BaseLayer);
        }
    }
}
