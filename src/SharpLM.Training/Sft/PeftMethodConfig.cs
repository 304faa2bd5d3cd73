// PeftMethodConfig: the finetune config's "method" and "peft" section → the adapter_config.json object that
// PeftMethods.Attach reads: PEFT's peft_type for the method (lora → LORA, dora → LORA with use_dora, ia3 → IA3,
// prefix → PREFIX_TUNING, prompt → PROMPT_TUNING, ptuning → P_TUNING, llama-adapter → ADAPTION_PROMPT, adapter →
// HOULSBY, SharpLM's own type for Houlsby adapters, which PEFT does not have) plus the section's fields as given.
using System.Text.Json.Nodes;

namespace SharpLM.Training.Sft;

/// <summary>Method name → adapter_config.json.</summary>
public static class PeftMethodConfig
{
    /// <summary>PEFT's peft_type of <paramref name="method"/> (null for full fine-tuning).</summary>
    public static string? PeftType(FinetuneMethod method) => method switch
    {
        FinetuneMethod.Full => null,
        FinetuneMethod.Lora or FinetuneMethod.DoRA or FinetuneMethod.QLora => "LORA",
        FinetuneMethod.IA3 => "IA3",
        FinetuneMethod.Prefix => "PREFIX_TUNING",
        FinetuneMethod.Prompt => "PROMPT_TUNING",
        FinetuneMethod.PTuning => "P_TUNING",
        FinetuneMethod.LlamaAdapter => "ADAPTION_PROMPT",
        FinetuneMethod.Adapter => "HOULSBY",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    /// <summary>The adapter_config.json object for <paramref name="method"/> with the fields of <paramref name="peft"/>.</summary>
    public static JsonObject For(FinetuneMethod method, JsonObject? peft)
    {
        string type = PeftType(method) ?? throw new ArgumentException("finetune config: method full trains no adapter.");
        if (method == FinetuneMethod.QLora)
            throw new ArgumentException("finetune config: method qlora needs the NF4-quantised frozen base, which this build does not have yet; use method lora.");
        var o = peft is null ? new JsonObject() : (JsonObject)peft.DeepClone();
        if (o["peft_type"] is { } given && given.GetValue<string>() != type)
            throw new ArgumentException($"finetune config: peft.peft_type is {given.ToJsonString()} but method {FinetuneMethodConverter.Instance.NameOf(method)} is {type}; leave peft_type out.");
        o["peft_type"] = type;
        if (method == FinetuneMethod.DoRA)
        {
            if (o["use_dora"] is { } d && !d.GetValue<bool>()) throw new ArgumentException("finetune config: method dora with peft.use_dora false; leave use_dora out.");
            o["use_dora"] = true;
        }
        return o;
    }
}
