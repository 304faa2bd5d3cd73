// PeftNames: how PEFT names an adapter's tensors inside the base model in adapter_model.safetensors — the module path
// of the wrapped model under PeftModel's "base_model.model." (e.g.
// base_model.model.model.layers.0.self_attn.adaption_prompt), adapter name removed.
namespace SharpLM.Models.Peft;

public static class PeftNames
{
    /// <summary>The prefix PeftModel puts before a base-model module path.</summary>
    public const string ModelPrefix = "base_model.model.";

    /// <summary>The saved name of <paramref name="tensor"/> on the module at <paramref name="modulePath"/>.</summary>
    public static string InModel(string modulePath, string tensor) => ModelPrefix + modulePath + "." + tensor;
}
