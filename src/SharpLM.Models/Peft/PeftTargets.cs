// PeftTargets: which modules a LoRA/IA³ config targets, following PEFT's check_target_module_exists — exclude_modules
// first; then target_modules as a full-name regex (string) or a list of names (equal, or a "." + name suffix); for the
// list form only, layers_to_transform keeps the modules whose layer index (the first numeric segment after
// layers_pattern, or after any segment when it is empty) is listed. "all-linear" names every linear module but the
// output head. A config that matches nothing, or matches a module that is not linear, is an error naming what is there.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SharpLM.Models.Modules;

namespace SharpLM.Models.Peft;

/// <summary>The module-selection fields shared by LoRA and IA³.</summary>
public sealed record PeftTargets(NameSelector? TargetModules, NameSelector? ExcludeModules, int[]? LayersToTransform, string[]? LayersPattern)
{
    /// <summary>PEFT's shorthand for every linear layer except the output head.</summary>
    public const string AllLinear = "all-linear";

    /// <summary>The field names this record reads.</summary>
    public static readonly string[] Fields = ["target_modules", "exclude_modules", "layers_to_transform", "layers_pattern"];

    public static PeftTargets Read(LoraConfigFields f) =>
        new(f.Selector("target_modules"), f.Selector("exclude_modules"), f.IntOrList("layers_to_transform"), f.StringOrList("layers_pattern"));

    /// <summary>Writes the fields under PEFT's names.</summary>
    public void WriteTo(JsonObject o)
    {
        o["target_modules"] = TargetModules?.ToJson();
        o["exclude_modules"] = ExcludeModules?.ToJson();
        o["layers_to_transform"] = LayersToTransform is null ? null : new JsonArray(LayersToTransform.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        o["layers_pattern"] = LayersPattern is null ? null : LayersPattern.Length == 1 ? JsonValue.Create(LayersPattern[0]) : new JsonArray(LayersPattern.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
    }

    private bool IsAllLinear => TargetModules?.Pattern is { } p && string.Equals(p, AllLinear, StringComparison.OrdinalIgnoreCase);

    /// <summary>PEFT's check_target_module_exists for one module path.</summary>
    public bool Matches(string key)
    {
        if (ExcludeModules?.Matches(key) == true) return false;
        var t = TargetModules ?? throw new ArgumentException("adapter_config.json: 'target_modules' is missing (SharpLM has no per-architecture default; name the modules, e.g. [\"q_proj\", \"v_proj\"]).");
        if (!t.IsList) return t.Matches(key);
        if (t.Names!.Contains(key)) return true;
        if (!t.Matches(key)) return false;
        if (LayersToTransform is not { Length: > 0 } layers) return true;
        Match? m = null;
        if (LayersPattern is not { Length: > 0 } patterns) m = Regex.Match(key, @"^.*?\.[^.]*\.(\d+)\.");
        else
            foreach (var p in patterns)
                if ((m = Regex.Match(key, $@"^.*?\.{p}\.(\d+)\.")).Success) break;
        return m is { Success: true } && layers.Contains(int.Parse(m.Groups[1].Value));
    }

    /// <summary>
    /// The targeted modules of <paramref name="model"/> (plain Linear or an existing wrapper), in model order. Throws
    /// when nothing matches (listing the linear modules) or when a match is not a linear layer.
    /// </summary>
    public List<(string Path, Module Module)> Select(Module model, string method, string? outputHeadPath)
    {
        var all = PeftLayers.Modules(model).ToList();
        List<(string Path, Module Module)> hits;
        if (IsAllLinear)
            hits = all.Where(e => e.Module is ILinearLayer && e.Path != outputHeadPath && ExcludeModules?.Matches(e.Path) != true).ToList();
        else
            hits = all.Where(e => Matches(e.Path)).ToList();
        if (hits.Count == 0)
            throw new ArgumentException($"adapter_config.json: {method} target_modules {TargetModules} match no module of the model; its linear modules are: {PeftLayers.AvailableLinearNames(model)}.");
        foreach (var (path, m) in hits)
            if (m is not ILinearLayer)
                throw new ArgumentException($"adapter_config.json: {method} target_modules {TargetModules} match '{path}', a {m.GetType().Name}; {method} wraps linear layers only ({PeftLayers.AvailableLinearNames(model)}).");
        return hits;
    }
}
