// HfConfig: maps a Hugging Face config.json onto a DecoderConfig through the family registry, by its
// "architectures" entry (or "model_type" when there is none). Missing optional keys take the defaults the HF
// classes use; missing required keys, and keys that would change the numbers but are not understood, are
// named in the error.
using System.Text.Json;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Families.Hf;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>Hugging Face config.json → <see cref="DecoderConfig"/>.</summary>
public static class HfConfig
{
    /// <summary>Reads (a folder's) config.json and maps it; file and JSON errors are ModelFormatException.</summary>
    public static DecoderConfig Load(string path)
    {
        path = SharpLM.Formats.ModelPath.Resolve(path); // a hub cache folder → its snapshot
        var file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        return Map(ConfigJson.Load(file), file);
    }

    /// <summary>The "architectures"[0] entry, else "model_type", else "".</summary>
    public static string Architecture(JsonElement j) =>
        j.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0
            ? a[0].GetString() ?? "" : j.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() ?? "" : "";

    /// <summary>Maps a parsed config; <paramref name="source"/> names it in errors.</summary>
    public static DecoderConfig Map(JsonElement j, string source = "config.json")
    {
        string arch = Architecture(j);
        var family = DecoderFamilies.ForHfArchitecture(arch)
            ?? throw new NotSupportedException($"{source}: architecture '{arch}' is not supported (expected {DecoderFamilies.KnownArchitectures}).");
        var r = new HfConfigReader(j, source, arch);
        var config = family.FromHf(r);
        r.RejectUnread();
        return config;
    }
}
