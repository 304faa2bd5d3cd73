// PeftMerge: folds adapter folders into a model's weights for good (PEFT's merge_and_unload), one after another —
// what `sharplm merge` writes out and what `--adapter` on generate/chat runs. Only methods that change weights
// (LoRA, DoRA, IA³) can be merged; a prompt-style adapter is an error naming its peft_type.
using SharpLM.Formats;
using SharpLM.Models.Transformer;

namespace SharpLM.Models.Peft;

public static class PeftMerge
{
    /// <summary>Loads each adapter folder onto <paramref name="model"/> in turn and merges it into the weights (the wrappers removed).</summary>
    public static void MergeAdapters(DecoderModel model, IEnumerable<string> adapterFolders)
    {
        foreach (var folder in adapterFolders)
        {
            var adapter = PeftAdapterFile.Load(folder, model, "merge");
            if (adapter is not IMergeablePeftAdapter mergeable)
            {
                adapter.Detach();
                throw new ModelFormatException(Path.Combine(folder, PeftAdapterFile.ConfigName), "peft_type",
                    $"{adapter.PeftType} adapters change activations, not weights, so they cannot be merged into the model (LORA and IA3 can)");
            }
            mergeable.MergeAndUnload();
        }
    }
}
