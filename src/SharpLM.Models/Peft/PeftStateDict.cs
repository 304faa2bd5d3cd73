// PeftStateDict: copying an adapter file's tensors into an attached adapter, with the checks that catch an adapter made
// for another base model or another config — every expected tensor present, none left over, shapes equal — each
// failure naming the tensor and both shapes.
using SharpLM.Tensors;

namespace SharpLM.Models.Peft;

public static class PeftStateDict
{
    /// <summary>Copies <paramref name="state"/> into <paramref name="own"/> (same names and shapes, else an error naming them).</summary>
    public static void Load(IReadOnlyDictionary<string, Tensor> own, IReadOnlyDictionary<string, Tensor> state, string method)
    {
        foreach (var (name, p) in own)
        {
            if (!state.TryGetValue(name, out var src))
                throw new ArgumentException($"{method} adapter: tensor '{name}' (shape {ShapeUtil.Format(p.Shape)}) is missing from the adapter file.");
            if (!ShapeUtil.SameShape(src.Shape, p.Shape))
                throw new ArgumentException($"{method} adapter: tensor '{name}' has shape {ShapeUtil.Format(src.Shape)} in the adapter file but this base model needs {ShapeUtil.Format(p.Shape)} (an adapter for another base model?).");
        }
        var extra = state.Keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new ArgumentException($"{method} adapter: the adapter file has tensors this model and config do not: {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? $", … ({extra.Count} in all)" : "")}.");
        foreach (var (name, p) in own) p.CopyFrom(state[name]);
    }
}
