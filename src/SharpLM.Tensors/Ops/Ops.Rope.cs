// Rotary position embedding (Su et al., RoFormer) in both memory layouts in use:
//   Halves (GPT-NeoX, Hugging Face LLaMA): dim i pairs with dim i + D/2;
//   Pairs  (GPT-J, llama.cpp, Meta's original LLaMA): dim 2i pairs with dim 2i + 1.
// Angle for pair i at position p: (p / scale) · theta^(−2i/D). Backward rotates by the negative angle.
using SharpLM.Tensors.Autograd;
using SharpLM.Tensors.Backends;

namespace SharpLM.Tensors;

/// <summary>Which dims a rotary embedding rotates together.</summary>
public enum RopeLayout
{
    /// <summary>Dim i with dim i + D/2 (GPT-NeoX / Hugging Face).</summary>
    Halves,
    /// <summary>Dim 2i with dim 2i+1 (GPT-J / llama.cpp).</summary>
    Pairs,
}

public static partial class Ops
{
    /// <summary>Rotates x [..., T, D] by positions (i32 [T]), or x [B, H, T, D] by a position per token (i32 [B, T], packed rows).</summary>
    public static Tensor Rope(Tensor x, Tensor positions, float theta = 10000f, RopeLayout layout = RopeLayout.Halves, float positionScale = 1f)
    {
        if (positions.Rank == 2 && x.Rank == 4 && positions.Shape[0] == x.Shape[0] && positions.Shape[1] == x.Shape[2])
        {
            // [B, H, T, D] → [H, B·T, D]: row r of a head is token (b, t) = (r / T, r % T), whose position is positions[b, t].
            int nb = x.Shape[0], nh = x.Shape[1], nt = x.Shape[2], dim = x.Shape[3];
            var flat = Rope(x.Transpose(0, 1).Reshape(nh, nb * nt, dim), positions.Reshape(nb * nt), theta, layout, positionScale);
            return flat.Reshape(nh, nb, nt, dim).Transpose(0, 1);                                  // (B, H, T, D)
        }
        if (x.Rank < 2) throw new ArgumentException($"Rope: input must be [..., T, D], got {ShapeUtil.Format(x.Shape)}.");
        if (positions.DType != DType.I32) throw positions.DTypeError("Rope positions", DType.I32);
        int t = x.Shape[^2], d = x.Shape[^1];
        if (d % 2 != 0) throw new ArgumentException($"Rope: head dim {d} of input {ShapeUtil.Format(x.Shape)} must be even.");
        if (positions.Rank != 1 || positions.Shape[0] != t)
            throw new ArgumentException($"Rope: positions shape {ShapeUtil.Format(positions.Shape)} must be [{t}] to match input {ShapeUtil.Format(x.Shape)}.");
        var (cos, sin) = Cpu.RopeTables.For(positions.ToInt32Array(), d, theta, positionScale);
        var xd = x.DenseF32("Rope");
        var y = Tensor.Alloc(x.Shape, DType.F32);
        Backend.Current.Rope(xd, y, x.Numel / d, t, d, cos, sin, layout, inverse: false);
        return GradRecorder.Record(y, "rope", x, g =>
        {
            var gd = g.DenseF32("Rope backward");
            var dx = Tensor.Alloc(gd.Shape, DType.F32);
            Backend.Current.Rope(gd, dx, gd.Numel / d, t, d, cos, sin, layout, inverse: true);
            return [dx];
        });
    }
}
