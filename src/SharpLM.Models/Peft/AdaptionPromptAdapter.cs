// AdaptionPromptAdapter: LLaMA-Adapter (Zhang et al. 2023, "LLaMA-Adapter: Efficient Fine-tuning of Language Models
// with Zero-init Attention"; PEFT's ADAPTION_PROMPT). In each of the top adapter_layers layers, adapter_len learned
// prompt vectors (adaption_prompt [1, len, C], N(0, 1)) go through the layer's own key/value projections; the
// layer's queries (after RoPE) attend to them in a separate softmax with no mask and no RoPE on the prompt keys;
// the result, scaled by a zero-initialised gate (adaption_gate [1]), is added to the attention output — through the
// output projection for LLaMA-style models (PEFT's AdaptedAttention), without it for GPT-2 (AdaptedAttentionGPT).
// Tensors: base_model.model.<layer>.<attention>.adaption_prompt / .adaption_gate, as PEFT names them.
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;
using SharpLM.Tensors.Rng;

namespace SharpLM.Models.Peft;

/// <summary>Gated adaption prompts in the top layers.</summary>
public sealed class AdaptionPromptAdapter : IPeftAdapter
{
    public const string Type = "ADAPTION_PROMPT";

    private readonly List<(string Prefix, DecoderLayer Layer, LayerPrompt Prompt)> _layers;
    private readonly JsonObject _config;

    public string PeftType => Type;
    public string Name { get; }
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>One layer's adaption prompt and gate.</summary>
    private sealed class LayerPrompt(Tensor prompt, Tensor gate, DecoderConfig c) : IAdaptionPrompt
    {
        public Tensor Prompt { get; } = prompt;   // (1, len, C)
        public Tensor Gate { get; } = gate;       // (1)

        public Tensor Output(DecoderLayer layer, Tensor q)
        {
            int b = q.Shape[0], t = q.Shape[2], n = Prompt.Shape[1], hd = c.HeadDim;
            var (k, v) = layer.ProjectKeysValues(Prompt);                                            // 2 × (1, len, Hkv·hd)
            k = k.Reshape(1, n, c.KvHeads, hd).Transpose(1, 2).Expand(b, c.KvHeads, n, hd);         // (B, Hkv, len, hd)
            v = v.Reshape(1, n, c.KvHeads, hd).Transpose(1, 2).Expand(b, c.KvHeads, n, hd);
            var a = Ops.ScaledDotProductAttention(q, k, v, causal: false, training: false);        // (B, H, T, hd)
            a = a.Transpose(1, 2).Reshape(b, t, c.Dim) * Gate;                                      // gate · softmax(q kᵀ/√hd) v
            return c.Family == ModelFamily.Gpt2 ? a : layer.ProjectOutput(a);                        // (B, T, C)
        }
    }

    private AdaptionPromptAdapter(string name, List<(string, DecoderLayer, LayerPrompt)> layers, JsonObject config)
    {
        Name = name; _layers = layers; _config = config;
        Parameters = layers.SelectMany(l => new[] { l.Item3.Prompt, l.Item3.Gate }).ToList();
    }

    /// <summary>PEFT's target_modules: the attention module's name in the family's layer ("self_attn", GPT-2's "attn").</summary>
    public static string AttentionModule(DecoderConfig c)
    {
        var n = DecoderNames.For(c.Family);
        return (n.Q ?? n.FusedQkv!).Split('.')[0];
    }

    /// <summary>Attaches adaption prompts of <paramref name="adapterLen"/> tokens to the top <paramref name="adapterLayers"/> layers.</summary>
    public static AdaptionPromptAdapter Attach(DecoderModel model, int adapterLen, int adapterLayers, string adapterName = "default", ulong seed = 0)
    {
        var c = model.Config;
        if (adapterLen < 1) throw new ArgumentException($"adapter_len must be positive, got {adapterLen}.");
        var layers = model.NamedModules().Where(m => m.Module is DecoderLayer).Select(m => (m.Name, Layer: (DecoderLayer)m.Module)).ToList();
        if (adapterLayers < 1 || adapterLayers > layers.Count)
            throw new ArgumentException($"adapter_layers {adapterLayers} must be in [1, {layers.Count}] (the model's layers).");
        if (layers.Any(l => l.Layer.AdaptionPrompt is not null)) throw new InvalidOperationException("The model already has adaption prompts; detach them first.");
        string target = AttentionModule(c);
        var gen = new Generator(seed);
        var attached = new List<(string, DecoderLayer, LayerPrompt)>();
        using (TensorScope.Outside())
            foreach (var (path, layer) in layers.Skip(layers.Count - adapterLayers))
            {
                var prompt = Tensor.Randn([1, adapterLen, c.Dim], gen);                  // PEFT: normal_()
                var gate = Tensor.Zeros([1]);                                            // zero-init attention
                prompt.RequiresGrad = gate.RequiresGrad = true;
                var lp = new LayerPrompt(prompt, gate, c);
                layer.AdaptionPrompt = lp;
                attached.Add((path + "." + target, layer, lp));
            }
        var config = PeftConfigFields.NewConfig(Type);
        config["adapter_len"] = adapterLen;
        config["adapter_layers"] = adapterLayers;
        config["target_modules"] = target;
        return new AdaptionPromptAdapter(adapterName, attached, config);
    }

    /// <summary>PeftMethods entry.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName, ulong seed)
    {
        var f = new PeftConfigFields(config, Type);
        int len = f.PositiveInt("adapter_len");
        int layers = f.PositiveInt("adapter_layers");
        var target = f.String("target_modules");
        string expected = AttentionModule(model.Config);
        if (target is not null && target != expected)
            throw new ArgumentException($"adapter_config.json: target_modules '{target}', but this model's attention modules are '{expected}'.");
        f.Done();
        return Attach(model, len, layers, adapterName, seed);
    }

    public JsonObject ConfigJson() => (JsonObject)_config.DeepClone();

    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, _, lp) in _layers)
        {
            d[PeftNames.InModel(prefix, "adaption_prompt")] = lp.Prompt;
            d[PeftNames.InModel(prefix, "adaption_gate")] = lp.Gate;
        }
        return d;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => PeftState.Copy(StateDict(), state);

    public void Detach()
    {
        foreach (var (_, layer, lp) in _layers)
            if (ReferenceEquals(layer.AdaptionPrompt, lp)) layer.AdaptionPrompt = null;
    }
}
