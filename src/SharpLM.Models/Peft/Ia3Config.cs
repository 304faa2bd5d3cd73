// Ia3Config: PEFT's IA3Config fields — target_modules / exclude_modules (PeftTargets), feedforward_modules (which
// targets scale their input rather than their output; a list must be a subset of target_modules, and a list entry
// matches a name ending with it, as PEFT's _check_target_module_feedforward), fan_in_fan_out (set from the layer type,
// as PEFT does) and init_ia3_weights (true: ones). modules_to_save is accepted only when empty.
using System.Text.Json.Nodes;

namespace SharpLM.Models.Peft;

/// <summary>An (IA)³ adapter configuration with PEFT's field names.</summary>
public sealed record Ia3Config
{
    public PeftTargets Targets { get; init; } = new(null, null, null, null);
    public NameSelector? FeedforwardModules { get; init; }
    public bool FanInFanOut { get; init; }
    /// <summary>True: vectors start at one (the adapter is a no-op); false: N(0, 1) as PEFT's torch.randn.</summary>
    public bool InitIa3Weights { get; init; } = true;
    public JsonObject Generic { get; init; } = new();

    public static Ia3Config FromJson(JsonObject json)
    {
        var f = new LoraConfigFields(json, "IA3");
        f.CheckFields(["target_modules", "exclude_modules", "feedforward_modules", "fan_in_fan_out", "init_ia3_weights"], [], ["modules_to_save"]);
        var c = new Ia3Config
        {
            Targets = new PeftTargets(f.Selector("target_modules"), f.Selector("exclude_modules"), null, null),
            FeedforwardModules = f.Selector("feedforward_modules"),
            FanInFanOut = f.Bool("fan_in_fan_out", false),
            InitIa3Weights = f.Bool("init_ia3_weights", true),
            Generic = LoraConfig.GenericFields(json),
        };
        return c.Validate();
    }

    public Ia3Config Validate()
    {
        if (Targets.TargetModules is null) throw new ArgumentException("adapter_config.json: IA3 field 'target_modules' is missing.");
        if (FeedforwardModules is null) throw new ArgumentException("adapter_config.json: IA3 field 'feedforward_modules' is missing (SharpLM has no per-architecture default; e.g. [\"down_proj\"]).");
        if (FeedforwardModules.IsList && Targets.TargetModules.IsList && !FeedforwardModules.Names!.All(Targets.TargetModules.Names!.Contains))
            throw new ArgumentException($"adapter_config.json: IA3 field 'feedforward_modules' {FeedforwardModules} must be a subset of 'target_modules' {Targets.TargetModules}.");
        return this;
    }

    /// <summary>Whether the module at <paramref name="key"/> is a feed-forward target (its input is scaled).</summary>
    public bool IsFeedforward(string key) => FeedforwardModules!.MatchesLooseSuffix(key);

    public JsonObject ToJson()
    {
        var o = PeftConfigFields.NewConfig("IA3");          // PEFT's base fields (task_type, inference_mode, …), then the ones read
        foreach (var (k, v) in Generic) o[k] = v?.DeepClone();
        o["target_modules"] = Targets.TargetModules?.ToJson();
        o["exclude_modules"] = Targets.ExcludeModules?.ToJson();
        o["feedforward_modules"] = FeedforwardModules?.ToJson();
        o["fan_in_fan_out"] = FanInFanOut;
        o["init_ia3_weights"] = InitIa3Weights;
        o["modules_to_save"] = null;
        return o;
    }
}
