// LoraAdapter: one named LoRA / rsLoRA / DoRA adapter attached to a decoder model — the targeted projections are
// wrapped in LoraLinear (or join an existing LoraLinear when another LoRA adapter is already there, as PEFT's named
// adapters do). The first adapter on a model is active; a later one is not until PeftLayers.SetActive names it (PEFT's
// add_adapter/set_adapter). Tensors are saved under PEFT's names without the adapter name:
//   base_model.model.<module>.lora_A.weight [r, in], ….lora_B.weight [out, r], ….lora_magnitude_vector [out] (DoRA).
using System.Text.Json.Nodes;
using SharpLM.Models.Modules;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>A LoRA adapter on a model.</summary>
public sealed class LoraAdapter : IMergeablePeftAdapter
{
    /// <summary>PEFT's prefix for tensors of a model wrapped by PeftModel → LoraModel.</summary>
    public const string KeyPrefix = "base_model.model.";

    private readonly Module _model;
    private readonly List<(string Path, LoraLinear Layer)> _layers;
    private bool _detached;

    public LoraConfig Config { get; }
    public string PeftType => "LORA";
    public string Name { get; }

    private LoraAdapter(Module model, LoraConfig config, string name, List<(string, LoraLinear)> layers)
    {
        _model = model; Config = config; Name = name; _layers = layers;
    }

    /// <summary>The wrapped modules' paths, in model order.</summary>
    public IReadOnlyList<string> TargetPaths => _layers.Select(l => l.Path).ToList();

    /// <summary>PeftMethods entry: attaches the LORA config to <paramref name="model"/>.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed) =>
        Attach(LoraConfig.FromJson(config), model, adapterName, seed);

    /// <summary>Wraps every module <paramref name="config"/> targets and adds adapter <paramref name="adapterName"/> there.</summary>
    public static LoraAdapter Attach(LoraConfig config, DecoderModel model, string adapterName = "default", ulong seed = 0)
    {
        config.Validate();
        string head = DecoderNames.For(model.Config.Family).LmHead;
        var hits = config.Targets.Select(model, "LORA", model.Config.TiedEmbeddings ? null : head);
        PeftLayers.CheckTargets(hits, "LORA", adapterName);
        bool first = !PeftLayers.Wrappers(model).Any();
        var active = first ? new[] { adapterName } : PeftLayers.Active(model).ToArray();
        var gen = new Generator(seed);
        var layers = new List<(string, LoraLinear)>();
        bool conv1D = false;
        foreach (var (path, m) in hits)
        {
            var layer = m as LoraLinear;
            if (layer is null)
            {
                layer = new LoraLinear((Linear)m, seed ^ (ulong)StableHash(path)) { ActiveAdapters = active };
                PeftLayers.Put(model, path, layer);
            }
            conv1D |= layer.BaseLayer.Conv1D;
            layer.AddAdapter(adapterName, config.RankFor(path), (float)config.ScalingFor(path), (float)config.LoraDropout, config.UseDora, config.Init, gen);
            layers.Add((path, layer));
        }
        return new LoraAdapter(model, config with { FanInFanOut = conv1D }, adapterName, layers);
    }

    private static int StableHash(string s) { unchecked { int h = 17; foreach (char c in s) h = h * 31 + c; return h; } }

    public JsonObject ConfigJson() => Config.ToJson();

    private IEnumerable<(string Key, Tensor T)> Named()
    {
        foreach (var (path, layer) in _layers)
        {
            var ad = layer[Name];
            yield return ($"{KeyPrefix}{path}.lora_A.weight", ad.A);
            yield return ($"{KeyPrefix}{path}.lora_B.weight", ad.B);
            if (ad.Magnitude is not null) yield return ($"{KeyPrefix}{path}.lora_magnitude_vector", ad.Magnitude);
        }
    }

    public IReadOnlyList<Tensor> Parameters => Named().Select(n => n.T).ToList();

    public IReadOnlyDictionary<string, Tensor> StateDict() => Named().ToDictionary(n => n.Key, n => n.T, StringComparer.Ordinal);

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => PeftStateDict.Load(StateDict(), state, "LORA");

    public bool Merged => _layers.Any(l => l.Layer.IsMerged(Name));

    public void Merge() { foreach (var (_, l) in _layers) l.MergeAdapter(Name); }

    public void Unmerge() { foreach (var (_, l) in _layers) if (l.IsMerged(Name)) l.Unmerge(); }

    public void MergeAndUnload()
    {
        Merge();
        Remove(keepMerged: true);
    }

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
