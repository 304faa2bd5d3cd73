// IMergeablePeftAdapter: an adapter whose effect is a change of the base weights (LoRA, DoRA, IA³), so it can be merged
// into them for inference, taken out again, or merged for good (the wrappers removed, as PEFT's merge_and_unload) —
// what `sharplm merge` and `--adapter` on generate/chat use.
namespace SharpLM.Models.Peft;

/// <summary>An adapter that can be merged into the base weights.</summary>
public interface IMergeablePeftAdapter : IPeftAdapter
{
    /// <summary>True while this adapter is merged into the base weights.</summary>
    bool Merged { get; }

    /// <summary>Adds this adapter into the base weights (forward then runs the base alone); unmerge restores them.</summary>
    void Merge();

    /// <summary>Restores the base weights merged by <see cref="Merge"/>.</summary>
    void Unmerge();

    /// <summary>Merges this adapter into the base weights and removes it from the model for good (the base modules go back in their slots).</summary>
    void MergeAndUnload();
}
