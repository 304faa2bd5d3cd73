// PeftMethods: the one table from PEFT's peft_type to the code that attaches that method to a model, so loading an
// adapter folder, the finetune command and the merge command find every method the same way. A method's file
// registers itself in the static constructor below (one line per method).
using System.Text.Json.Nodes;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Peft;

/// <summary>Attaches an adapter described by an adapter_config.json object to a model.</summary>
/// <param name="config">The adapter_config.json object (unknown fields that change the numbers are an error).</param>
/// <param name="model">The base model; its matched modules are wrapped in place.</param>
/// <param name="adapterName">The adapter's name ("default").</param>
/// <param name="seed">Seeds the adapter's initialisation.</param>
public delegate IPeftAdapter PeftAttach(JsonObject config, DecoderModel model, string adapterName, ulong seed);

/// <summary>The registry of PEFT methods by <c>peft_type</c>.</summary>
public static class PeftMethods
{
    private static readonly Dictionary<string, PeftAttach> Table = new(StringComparer.Ordinal);

    static PeftMethods()
    {
        Register(HoulsbyAdapter.Type, HoulsbyAdapter.Attach);
        Register(PromptTuningAdapter.Type, PromptTuningAdapter.Attach);
        Register(PTuningAdapter.Type, PTuningAdapter.Attach);
        Register(PrefixTuningAdapter.Type, PrefixTuningAdapter.Attach);
        Register(AdaptionPromptAdapter.Type, AdaptionPromptAdapter.Attach);
        Register("LORA", LoraAdapter.Attach);
        Register("IA3", Ia3Adapter.Attach);
    }

    private static void Register(string peftType, PeftAttach attach) => Table.Add(peftType, attach);

    /// <summary>The peft_type values SharpLM can attach.</summary>
    public static IReadOnlyCollection<string> Known => Table.Keys;

    /// <summary>Attaches the method <paramref name="config"/>'s peft_type names; an unknown type is an error listing the known ones.</summary>
    public static IPeftAdapter Attach(JsonObject config, DecoderModel model, string adapterName = "default", ulong seed = 0)
    {
        var type = config["peft_type"]?.GetValue<string>()
            ?? throw new ArgumentException("adapter_config.json: missing 'peft_type'.");
        if (!Table.TryGetValue(type, out var attach))
            throw new ArgumentException($"adapter_config.json: peft_type '{type}' is not supported (known: {string.Join(", ", Table.Keys.Order())}).");
        return attach(config, model, adapterName, seed);
    }
}
