// IPeftLayer: a PEFT wrapper standing in a projection slot (LoRA, IA³): it keeps the base Linear (whose parameters
// keep their names, so the base state dict is unchanged), the named adapters it holds, which of them are active, and
// whether they are merged into the base weight. PeftLayers finds and switches them across a model.
using SharpLM.Models.Modules;

namespace SharpLM.Models.Peft;

/// <summary>A linear layer wrapped by one PEFT method holding one or more named adapters.</summary>
public interface IPeftLayer : ILinearLayer
{
    /// <summary>The method's peft_type (LORA, IA3).</summary>
    string PeftType { get; }

    /// <summary>The wrapped base projection.</summary>
    Linear BaseLayer { get; }

    /// <summary>The adapters this layer holds.</summary>
    IReadOnlyCollection<string> AdapterNames { get; }

    /// <summary>The adapters applied in forward (names this layer does not hold are ignored, as in PEFT).</summary>
    IReadOnlyList<string> ActiveAdapters { get; set; }

    /// <summary>True while adapters are merged into the base weight (forward is then the base alone).</summary>
    bool Merged { get; }

    /// <summary>Merges the active adapters into the base weight.</summary>
    void Merge();

    /// <summary>Takes merged adapters out of the base weight again.</summary>
    void Unmerge();
}
