// PeftAdapterFile: an adapter folder as Hugging Face PEFT writes and reads it — adapter_config.json (PEFT's field
// names) and adapter_model.safetensors (PEFT's tensor names, no adapter-name infix). Saving writes the tensors
// first and the config last, each through a temporary file, so a folder with a config is always complete.
// Loading attaches the method the config names (PeftMethods) and then copies the tensors in.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpLM.Formats;
using SharpLM.Formats.Safetensors;
using SharpLM.Models.Formats.Safetensors;
using SharpLM.Models.Transformer;
using SharpLM.Tensors;

namespace SharpLM.Models.Peft;

/// <summary>Reads and writes PEFT adapter folders.</summary>
public static class PeftAdapterFile
{
    public const string ConfigName = "adapter_config.json";
    public const string WeightsName = "adapter_model.safetensors";

    /// <summary>Writes <paramref name="adapter"/> to <paramref name="folder"/> (created if missing).</summary>
    public static void Save(string folder, IPeftAdapter adapter)
    {
        Directory.CreateDirectory(folder);
        var state = adapter.StateDict();
        SafetensorsWriter.Write(Path.Combine(folder, WeightsName), state.OrderBy(p => p.Key, StringComparer.Ordinal),
            new Dictionary<string, string> { ["format"] = "pt" });
        var json = adapter.ConfigJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var configPath = Path.Combine(folder, ConfigName);
        File.WriteAllText(configPath + ".tmp", json + "\n");
        File.Move(configPath + ".tmp", configPath, overwrite: true);
    }

    /// <summary>The adapter_config.json object of <paramref name="folder"/>.</summary>
    public static JsonObject ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigName);
        if (!File.Exists(path)) throw new ModelFormatException(path, "", Directory.Exists(folder) ? "file not found (not a PEFT adapter folder)" : "adapter folder not found");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw ModelFormatException.Expected(path, "", "a JSON object", "another JSON value");
        }
        catch (JsonException e) { throw new ModelFormatException(path, "", $"invalid JSON: {e.Message}", e); }
    }

    /// <summary>Config errors from PeftMethods start with "adapter_config.json: "; the file error names the full path instead.</summary>
    private static string WithoutFilePrefix(string m) => m.StartsWith(ConfigName + ": ", StringComparison.Ordinal) ? m[(ConfigName.Length + 2)..] : m;

    /// <summary>Attaches the adapter in <paramref name="folder"/> to <paramref name="model"/> and loads its tensors.</summary>
    public static IPeftAdapter Load(string folder, DecoderModel model, string adapterName = "default")
    {
        var config = ReadConfig(folder);
        var weightsPath = Path.Combine(folder, WeightsName);
        if (!File.Exists(weightsPath)) throw new ModelFormatException(weightsPath, "", "file not found (a PEFT adapter folder holds adapter_model.safetensors)");
        IPeftAdapter adapter;
        try { adapter = PeftMethods.Attach(config, model, adapterName); }
        catch (ArgumentException e) { throw new ModelFormatException(Path.Combine(folder, ConfigName), "", WithoutFilePrefix(e.Message), e); }
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using (var file = SafetensorsFile.Open(weightsPath))
                foreach (var t in file.Tensors) state[t.Name] = t.ToTensor();
            adapter.LoadStateDict(state);
        }
        catch (Exception e)
        {
            adapter.Detach(); // never leave a half-loaded adapter wrapped around the model
            if (e is ArgumentException) throw new ModelFormatException(weightsPath, "", e.Message, e);
            throw;
        }
        finally { foreach (var t in state.Values) t.Dispose(); }
        return adapter;
    }
}
