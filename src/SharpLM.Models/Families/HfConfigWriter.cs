// HfConfigWriter: the inverse of HfConfig — writes a DecoderConfig as a Hugging Face config.json that
// transformers (and HfConfig.Map) read back, through the family registry.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Families;

/// <summary>DecoderConfig → Hugging Face config.json.</summary>
public static class HfConfigWriter
{
    public static JsonObject ToJson(DecoderConfig c) => DecoderFamilies.For(c).ToHf(c);

    /// <summary>Writes config.json into <paramref name="dir"/> atomically.</summary>
    public static void Write(DecoderConfig c, string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "config.json");
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson(c).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}
