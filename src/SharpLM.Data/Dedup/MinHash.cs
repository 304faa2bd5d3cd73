// MinHash (Broder 1997, "On the resemblance and containment of documents"): word k-shingles hashed with xxHash64,
// then num_perm universal hash functions h_i(x) = (a_i x + b_i) mod (2^61 - 1) with seeded a_i, b_i; the signature is
// the minimum of each h_i over the shingles, and the share of equal positions estimates the Jaccard similarity.
using System.IO.Hashing;
using System.Text;

namespace SharpLM.Data.Dedup;

public sealed class MinHash
{
    private const ulong Prime = (1UL << 61) - 1;
    private readonly ulong[] _a, _b;

    public MinHash(int numPerm = 128, int shingleSize = 5, ulong seed = 1)
    {
        if (numPerm < 1) throw new ArgumentOutOfRangeException(nameof(numPerm));
        if (shingleSize < 1) throw new ArgumentOutOfRangeException(nameof(shingleSize));
        NumPerm = numPerm;
        ShingleSize = shingleSize;
        var rng = new Random((int)(seed ^ (seed >> 32)));
        _a = new ulong[numPerm];
        _b = new ulong[numPerm];
        for (int i = 0; i < numPerm; i++)
        {
            _a[i] = 1 + (ulong)rng.NextInt64(1, (long)Prime - 1);
            _b[i] = (ulong)rng.NextInt64(0, (long)Prime - 1);
        }
    }

    public int NumPerm { get; }
    public int ShingleSize { get; }

    /// <summary>The hashed word k-shingles of the normalised text (a text shorter than k words is one shingle).</summary>
    public HashSet<ulong> Shingles(string text)
    {
        var words = TextNormalizer.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var set = new HashSet<ulong>();
        int k = Math.Min(ShingleSize, Math.Max(1, words.Length));
        for (int i = 0; i + k <= words.Length; i++)
            set.Add(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(string.Join(' ', words, i, k))));
        return set;
    }

    public static double ExactJaccard(HashSet<ulong> x, HashSet<ulong> y)
    {
        if (x.Count == 0 && y.Count == 0) return 1;
        int inter = x.Count(y.Contains);
        return (double)inter / (x.Count + y.Count - inter);
    }

    public ulong[] Signature(string text) => Signature(Shingles(text));

    public ulong[] Signature(HashSet<ulong> shingles)
    {
        var sig = new ulong[NumPerm];
        Array.Fill(sig, ulong.MaxValue);
        foreach (ulong s in shingles)
        {
            ulong x = s % Prime;
            for (int i = 0; i < NumPerm; i++)
            {
                ulong h = MulAddMod(_a[i], x, _b[i]);
                if (h < sig[i]) sig[i] = h;
            }
        }
        return sig;
    }

    private static ulong MulAddMod(ulong a, ulong x, ulong b)
    {
        UInt128 p = (UInt128)a * x + b;
        // reduce modulo 2^61 - 1
        ulong lo = (ulong)(p & Prime), hi = (ulong)(p >> 61);
        ulong r = lo + (hi % Prime);
        r = (r & Prime) + (r >> 61);
        return r >= Prime ? r - Prime : r;
    }

    public static double EstimateJaccard(ulong[] x, ulong[] y)
    {
        int eq = 0;
        for (int i = 0; i < x.Length; i++) if (x[i] == y[i]) eq++;
        return (double)eq / x.Length;
    }
}
