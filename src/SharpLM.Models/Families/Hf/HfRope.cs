// HfRope: the rotary-embedding settings of a config.json in both forms transformers writes —
//   transformers ≤ 4: top-level "rope_theta" and "rope_scaling": {"type"|"rope_type": "linear", "factor": f};
//   transformers 5:   "rope_parameters": {"rope_type": "default"|"linear", "rope_theta": θ, "factor": f, …}.
// Only the rules SharpLM computes are accepted (default, linear); any other rope type, a partial rotary
// factor, per-layer-type parameters, or a key inside the object that is not understood is an error naming
// it — a model must never load with θ = 10000 because its θ sat where we did not look.
using System.Text.Json;

namespace SharpLM.Models.Families.Hf;

/// <summary>RoPE base and linear position scaling.</summary>
public readonly record struct RopeSettings(float Theta, float LinearFactor);

/// <summary>Reads RoPE settings from either config form.</summary>
public static class HfRope
{
    public static RopeSettings Read(HfConfigReader r, float defaultTheta = 10000f)
    {
        float? topTheta = r.FloatOrNull("rope_theta");
        var legacy = r.Raw("rope_scaling");
        var modern = r.Raw("rope_parameters");
        if (r.FloatOrNull("partial_rotary_factor") is float prf && prf != 1f)
            throw r.Unsupported("partial_rotary_factor", prf.ToString("R"), "1.0 (rotary on the whole head)");
        if (legacy is { } l && modern is { } m0 && m0.ValueKind == JsonValueKind.Object)
            throw new FormatException($"{r.Source}: both rope_scaling and rope_parameters are set; expected one of them.");

        float theta = topTheta ?? defaultTheta, factor = 1f;
        if ((legacy ?? modern) is { } obj)
        {
            string where = legacy is not null ? "rope_scaling" : "rope_parameters";
            if (obj.ValueKind != JsonValueKind.Object) throw new FormatException($"{r.Source}: {where} should be an object, found {obj.ValueKind}.");
            string? type = null;
            float? innerTheta = null, innerFactor = null;
            // The rule first: an unsupported rope type is the error to report, not one of its own parameters.
            foreach (var name in new[] { "rope_type", "type" })
                if (obj.TryGetProperty(name, out var tv) && tv.ValueKind == JsonValueKind.String && tv.GetString() is not ("default" or "linear") and { } other)
                    throw r.Unsupported($"{where} type", $"'{other}'", "'default' or 'linear'");
            foreach (var p in obj.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Object)
                    throw new FormatException($"{r.Source}: {where}.{p.Name} holds per-layer-type RoPE parameters; not supported (one RoPE for every layer expected).");
                switch (p.Name)
                {
                    case "type" or "rope_type": type = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw Bad(r, where, p); break;
                    case "rope_theta": innerTheta = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetSingle() : throw Bad(r, where, p); break;
                    case "factor": innerFactor = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetSingle() : throw Bad(r, where, p); break;
                    case "partial_rotary_factor":
                        if (p.Value.ValueKind != JsonValueKind.Number || p.Value.GetSingle() != 1f)
                            throw r.Unsupported($"{where}.partial_rotary_factor", p.Value.GetRawText(), "1.0 (rotary on the whole head)");
                        break;
                    // The context the scaled model was trained from: linear scaling does not use it.
                    case "original_max_position_embeddings": break;
                    default:
                        throw new FormatException($"{r.Source}: {where}.{p.Name} is not understood (SharpLM reads rope_type, rope_theta and factor); refusing to load with different RoPE numbers.");
                }
            }
            if (innerTheta is float it)
            {
                if (topTheta is float tt && tt != it)
                    throw new FormatException($"{r.Source}: rope_theta {tt:R} and {where}.rope_theta {it:R} disagree.");
                theta = it;
            }
            switch (type)
            {
                case "default" or null when innerFactor is null: break;
                case "linear":
                    factor = innerFactor ?? throw new FormatException($"{r.Source}: {where} of type linear has no factor.");
                    if (!(factor > 0) || !float.IsFinite(factor)) throw r.Unsupported($"{where}.factor", factor.ToString("R"), "a positive number");
                    break;
                default:
                    throw r.Unsupported($"{where} type", $"'{type ?? "(none, with a factor)"}'", "'default' or 'linear'");
            }
        }
        if (!(theta > 0) || !float.IsFinite(theta)) throw r.Unsupported("rope_theta", theta.ToString("R"), "a positive number");
        return new RopeSettings(theta, factor);
    }

    private static FormatException Bad(HfConfigReader r, string where, JsonProperty p) =>
        new($"{r.Source}: {where}.{p.Name} has the wrong JSON type ({p.Value.ValueKind}).");
}
