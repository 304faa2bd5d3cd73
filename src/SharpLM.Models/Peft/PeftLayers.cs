// PeftLayers: the model-wide operations on PEFT wrappers — listing a model's modules the way PEFT's target matching
// sees them (a wrapper once, not its insides), putting a wrapper in a module's slot and taking it out again, and
// switching the active adapters on every wrapper (PEFT's set_adapter).
using System.Text.RegularExpressions;
using SharpLM.Models.Modules;

namespace SharpLM.Models.Peft;

/// <summary>Model-wide helpers over <see cref="IPeftLayer"/> wrappers.</summary>
public static partial class PeftLayers
{
    /// <summary>Every submodule with its dotted path; a PEFT wrapper is listed once and its insides are not.</summary>
    public static IEnumerable<(string Path, Module Module)> Modules(Module model)
    {
        string? inside = null;
        foreach (var (p, m) in model.NamedModules())
        {
            if (inside is not null && (p == inside || p.StartsWith(inside + ".", StringComparison.Ordinal))) continue;
            inside = null;
            yield return (p, m);
            if (m is IPeftLayer) inside = p;
        }
    }

    /// <summary>The PEFT wrappers of <paramref name="model"/> with their paths.</summary>
    public static IEnumerable<(string Path, IPeftLayer Layer)> Wrappers(Module model) =>
        Modules(model).Where(e => e.Module is IPeftLayer).Select(e => (e.Path, (IPeftLayer)e.Module));

    /// <summary>The linear modules (plain or wrapped) as PEFT would offer them, with layer indices shown as "*" (for error messages).</summary>
    public static string AvailableLinearNames(Module model) =>
        string.Join(", ", Modules(model).Where(e => e.Module is ILinearLayer).Select(e => LayerIndex().Replace(e.Path, ".*.")).Distinct());

    [GeneratedRegex(@"\.\d+\.")]
    private static partial Regex LayerIndex();

    /// <summary>
    /// Refuses, before anything is wrapped, a target that another method already wraps, one that already holds an adapter
    /// named <paramref name="adapterName"/>, and one that is not a Linear (LoRA and IA³ attach the same way).
    /// </summary>
    public static void CheckTargets(IEnumerable<(string Path, Module Module)> hits, string peftType, string adapterName)
    {
        foreach (var (path, m) in hits)
        {
            if (m is IPeftLayer other && other.PeftType != peftType)
                throw new ArgumentException($"{peftType}: '{path}' is already wrapped by a {other.PeftType} adapter; one method per module.");
            if (m is IPeftLayer same && same.AdapterNames.Contains(adapterName))
                throw new ArgumentException($"{peftType}: the model already has an adapter named '{adapterName}' on '{path}'.");
            if (m is not Linear and not IPeftLayer)
                throw new ArgumentException($"{peftType}: '{path}' is a {m.GetType().Name}, not a Linear.");
        }
    }

    /// <summary>Puts <paramref name="replacement"/> in the slot at <paramref name="path"/> (exactly one module).</summary>
    public static void Put(Module model, string path, Module replacement)
    {
        int n = model.Replace(path, _ => replacement);
        if (n != 1) throw new InvalidOperationException($"PEFT: the path '{path}' named {n} modules, expected exactly one.");
    }

    /// <summary>
    /// Makes <paramref name="names"/> the active adapters on every wrapper of <paramref name="model"/> (PEFT's set_adapter);
    /// merged wrappers are unmerged first, as PEFT does. An empty list runs the base model alone.
    /// </summary>
    public static void SetActive(Module model, params string[] names)
    {
        var wrappers = Wrappers(model).ToList();
        var known = wrappers.SelectMany(w => w.Layer.AdapterNames).ToHashSet(StringComparer.Ordinal);
        foreach (var n in names)
            if (!known.Contains(n)) throw new ArgumentException($"SetActive: the model has no adapter '{n}' (it has: {string.Join(", ", known.Order())}).");
        foreach (var (_, w) in wrappers)
        {
            if (w.Merged) w.Unmerge();
            w.ActiveAdapters = names;
        }
    }

    /// <summary>The active adapters of the model's wrappers (the same on every wrapper unless set per layer).</summary>
    public static IReadOnlyList<string> Active(Module model) =>
        Wrappers(model).Select(w => w.Layer.ActiveAdapters).FirstOrDefault() ?? [];
}
