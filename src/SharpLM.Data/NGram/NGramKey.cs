// NGramKey: an n-gram of word ids (order 1..5) as a value type, for the count and probability tables.
namespace SharpLM.Data.NGram;

/// <summary>Up to <see cref="MaxOrder"/> word ids, oldest first; equality and hash over the used ids.</summary>
public readonly struct NGramKey : IEquatable<NGramKey>
{
    public const int MaxOrder = 5;
    private readonly int _a, _b, _c, _d, _e;

    public int Length { get; }

    public NGramKey(ReadOnlySpan<int> ids)
    {
        if (ids.Length is < 0 or > MaxOrder) throw new ArgumentOutOfRangeException(nameof(ids), $"n-gram order must be 0..{MaxOrder}, got {ids.Length}.");
        Length = ids.Length;
        _a = ids.Length > 0 ? ids[0] : 0;
        _b = ids.Length > 1 ? ids[1] : 0;
        _c = ids.Length > 2 ? ids[2] : 0;
        _d = ids.Length > 3 ? ids[3] : 0;
        _e = ids.Length > 4 ? ids[4] : 0;
    }

    public int this[int i] => i switch { 0 => _a, 1 => _b, 2 => _c, 3 => _d, 4 => _e, _ => throw new IndexOutOfRangeException() };

    /// <summary>The last id (the predicted word).</summary>
    public int Last => this[Length - 1];

    /// <summary>All ids but the last (the context).</summary>
    public NGramKey Context => Slice(0, Length - 1);

    /// <summary>All ids but the first (the lower-order suffix).</summary>
    public NGramKey Suffix => Slice(1, Length - 1);

    public NGramKey Slice(int start, int length)
    {
        Span<int> ids = stackalloc int[length];
        for (int i = 0; i < length; i++) ids[i] = this[start + i];
        return new NGramKey(ids);
    }

    public int[] ToArray()
    {
        var r = new int[Length];
        for (int i = 0; i < Length; i++) r[i] = this[i];
        return r;
    }

    public bool Equals(NGramKey o) => Length == o.Length && _a == o._a && _b == o._b && _c == o._c && _d == o._d && _e == o._e;
    public override bool Equals(object? obj) => obj is NGramKey k && Equals(k);
    public override int GetHashCode() => HashCode.Combine(Length, _a, _b, _c, _d, _e);
}
