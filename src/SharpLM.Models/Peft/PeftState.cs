// PeftState: copying tensors saved under PEFT's names into an adapter's own — every name present, no extra name,
// the same shape — so an adapter trained for another base model fails naming the tensor and both shapes.
using SharpLM.Tensors;

namespace SharpLM.Models.Peft;

public static class PeftState
{
    /// <summary>Copies <paramref name="saved"/> into <paramref name="own"/> (same names, same shapes).</summary>
    public static void Copy(IReadOnlyDictionary<string, Tensor> own, IReadOnlyDictionary<string, Tensor> saved)
    {
        var extra = saved.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (extra.Count > 0)
            throw new ArgumentException($"adapter_model.safetensors: unexpected tensor{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Take(5))}{(extra.Count > 5 ? ", …" : "")} (expected: {string.Join(", ", own.Keys.Take(5))}{(own.Count > 5 ? ", …" : "")}).");
        foreach (var (name, p) in own)
        {
            if (!saved.TryGetValue(name, out var src))
                throw new ArgumentException($"adapter_model.safetensors: missing tensor '{name}' (shape {ShapeUtil.Format(p.Shape)}).");
            if (!ShapeUtil.SameShape(src.Shape, p.Shape))
                throw new ArgumentException($"adapter_model.safetensors: tensor '{name}' has shape {ShapeUtil.Format(src.Shape)}, this base model needs {ShapeUtil.Format(p.Shape)} (an adapter for another base model).");
            p.CopyFrom(src);
        }
    }
}
