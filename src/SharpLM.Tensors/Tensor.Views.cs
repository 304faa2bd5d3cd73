// Tensor views: reshape/view, permute/transpose, narrow, expand, unsqueeze/squeeze. Each returns a tensor
// over the same storage (reshape copies only when the layout makes a view impossible) and records the
// inverse mapping for backward.
using SharpLM.Tensors.Autograd;

namespace SharpLM.Tensors;

public sealed unsafe partial class Tensor
{
    private Tensor MakeView(int[] shape, long[] strides, long offset) => new(Storage, shape, strides, offset, DType);

    private int[] ResolveShape(int[] shape, string op)
    {
        var s = (int[])shape.Clone();
        int infer = -1; long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dim may be -1, got {ShapeUtil.Format(shape)}.");
                infer = i;
            }
            else if (s[i] < 0) throw new ArgumentException($"{op}: invalid size {s[i]} in {ShapeUtil.Format(shape)}.");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"{op}: shape {ShapeUtil.Format(shape)} is invalid for a tensor of {Numel} elements with shape {ShapeUtil.Format(Shape)}.");
            s[infer] = (int)(Numel / known);
        }
        if (ShapeUtil.Numel(s) != Numel)
            throw new ArgumentException($"{op}: shape {ShapeUtil.Format(shape)} is invalid for a tensor of {Numel} elements with shape {ShapeUtil.Format(Shape)}.");
        return s;
    }

    /// <summary>Same elements in a new shape (one dim may be -1). A view when contiguous, otherwise a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var s = ResolveShape(shape, "Reshape");
        if (!IsContiguous) return Contiguous().Reshape(s);
        var inShape = _shape;
        var v = MakeView(s, ShapeUtil.ContiguousStrides(s), Offset);
        return GradRecorder.Record(v, "reshape", this, g => [g.Reshape(inShape)]);
    }

    /// <summary>Like <see cref="Reshape"/> but never copies; throws on a non-contiguous tensor.</summary>
    public Tensor View(params int[] shape)
    {
        if (!IsContiguous) throw new InvalidOperationException($"View: tensor with shape {ShapeUtil.Format(Shape)} and strides [{string.Join(", ", _strides)}] is not contiguous; use Reshape or Contiguous().");
        return Reshape(shape);
    }

    /// <summary>Reorders dims: result dim i is input dim <paramref name="dims"/>[i].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"Permute: got {dims.Length} dims for a tensor of rank {Rank}.");
        var seen = new bool[Rank];
        var shape = new int[Rank]; var strides = new long[Rank]; var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = ShapeUtil.NormalizeDim(dims[i], Rank, "Permute");
            if (seen[d]) throw new ArgumentException($"Permute: dim {d} repeated in [{string.Join(", ", dims)}].");
            seen[d] = true;
            shape[i] = _shape[d]; strides[i] = _strides[d]; inverse[d] = i;
        }
        var v = MakeView(shape, strides, Offset);
        return GradRecorder.Record(v, "permute", this, g => [g.Permute(inverse)]);
    }

    /// <summary>Swaps two dims.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = ShapeUtil.NormalizeDim(dim0, Rank, "Transpose"), b = ShapeUtil.NormalizeDim(dim1, Rank, "Transpose");
        var p = Enumerable.Range(0, Rank).ToArray();
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>Elements [start, start+length) along <paramref name="dim"/>, as a view.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "Narrow");
        if (start < 0 || length < 0 || start + length > _shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: range [{start}, {start + length}) is outside dim {d} of size {_shape[d]} (shape {ShapeUtil.Format(Shape)}).");
        var shape = (int[])_shape.Clone();
        shape[d] = length;
        var v = MakeView(shape, (long[])_strides.Clone(), Offset + start * _strides[d]);
        var inShape = _shape;
        return GradRecorder.Record(v, "narrow", this, g =>
        {
            var z = Zeros(inShape);
            var gd = g.DenseF32("narrow backward");
            var zs = ShapeUtil.ContiguousStrides(inShape);
            using var window = new Tensor(z.Storage, gd.Shape.ToArray(), zs, start * zs[d], DType.F32, scoped: false);
            Backends.Backend.Current.AddInto(gd, window);
            return [z];
        });
    }

    /// <summary>Broadcasts size-1 dims (and new leading dims) to <paramref name="shape"/> without copying (-1 keeps a dim).</summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Rank) throw new ArgumentException($"Expand: target {ShapeUtil.Format(shape)} has fewer dims than {ShapeUtil.Format(Shape)}.");
        var target = (int[])shape.Clone();
        int off = target.Length - Rank;
        for (int i = 0; i < target.Length; i++)
        {
            int src = i >= off ? _shape[i - off] : 1;
            if (target[i] == -1) { if (i < off) throw new ArgumentException("Expand: -1 is not allowed for a new leading dim."); target[i] = src; }
            if (src != 1 && src != target[i])
                throw new ArgumentException($"Expand: cannot expand {ShapeUtil.Format(Shape)} to {ShapeUtil.Format(shape)} (dim {i}: {src} is not 1 and differs from {target[i]}).");
        }
        var strides = ShapeUtil.BroadcastStrides(_shape, _strides, target);
        var v = MakeView(target, strides, Offset);
        var inShape = _shape;
        return GradRecorder.Record(v, "expand", this, g => [Ops.SumToShape(g, inShape)]);
    }

    /// <summary>Inserts a size-1 dim at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank + 1, "Unsqueeze");
        var s = _shape.ToList(); s.Insert(d, 1);
        return Reshape(s.ToArray());
    }

    /// <summary>Removes the size-1 dim <paramref name="dim"/>.</summary>
    public Tensor Squeeze(int dim)
    {
        int d = ShapeUtil.NormalizeDim(dim, Rank, "Squeeze");
        if (_shape[d] != 1) throw new ArgumentException($"Squeeze: dim {d} has size {_shape[d]}, expected 1.");
        var s = _shape.ToList(); s.RemoveAt(d);
        return Reshape(s.ToArray());
    }
}
