// ShapeUtil: shape arithmetic shared by every op — element counts, contiguous strides, broadcasting rules
// (NumPy/PyTorch: align from the right, a size-1 dim stretches), dim normalisation, and shape formatting
// for error messages.
namespace SharpLM.Tensors;

/// <summary>Shape and stride arithmetic.</summary>
public static class ShapeUtil
{
    /// <summary>Product of the dims (1 for a 0-dim tensor).</summary>
    public static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>Row-major strides in elements.</summary>
    public static long[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>"[2, 3, 4]".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Maps a possibly negative dim onto [0, rank); throws naming the op otherwise.</summary>
    public static int NormalizeDim(int dim, int rank, string op)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op}: dim {dim} is out of range for a tensor of rank {rank} (expected -{rank}..{rank - 1}).");
        return d;
    }

    /// <summary>The broadcast shape of two shapes, or an exception naming the op and both shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int r = Math.Max(a.Length, b.Length);
        var o = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Length ? 1 : a[i - (r - a.Length)];
            int db = i < r - b.Length ? 1 : b[i - (r - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dim {i}: {da} vs {db}; expected equal sizes or 1).");
            o[i] = da == 1 ? db : da;
        }
        return o;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/>/<paramref name="strides"/> as if it had <paramref name="target"/> shape (0 on broadcast dims).</summary>
    public static long[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, ReadOnlySpan<int> target)
    {
        var s = new long[target.Length];
        int off = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            s[i + off] = shape[i] == 1 && target[i + off] != 1 ? 0 : strides[i];
        return s;
    }

    /// <summary>True when two shapes are equal.</summary>
    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
