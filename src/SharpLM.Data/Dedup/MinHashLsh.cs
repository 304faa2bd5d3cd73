// MinHashLsh: locality-sensitive hashing over MinHash signatures (Leskovec, Rajaraman & Ullman, "Mining of Massive
// Datasets", ch. 3.4): b bands of r rows; documents sharing any band bucket are candidates, kept as duplicates when
// their estimated Jaccard is at least Threshold; clusters by union-find, the first document of a cluster is kept.
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SharpLM.Data.Dedup;

public sealed record MinHashOptions
{
    public int ShingleSize { get; init; } = 5;
    public int Bands { get; init; } = 20;
    public int Rows { get; init; } = 5;
    public double Threshold { get; init; } = 0.7;
    public ulong Seed { get; init; } = 1;
}

public sealed class MinHashLsh
{
    private readonly MinHash _minHash;
    private readonly Dictionary<(int Band, ulong Key), List<int>> _buckets = [];
    private readonly List<ulong[]> _signatures = [];
    private readonly List<int> _parent = [];

    public MinHashLsh(MinHashOptions options)
    {
        Options = options;
        _minHash = new MinHash(options.Bands * options.Rows, options.ShingleSize, options.Seed);
    }

    public MinHashOptions Options { get; }
    public MinHash MinHash => _minHash;

    /// <summary>Adds a document; returns the index of an earlier near-duplicate it matches, or -1.</summary>
    public int Add(string text) => Add(_minHash.Signature(text));

    public int Add(ulong[] sig)
    {
        int id = _signatures.Count;
        _signatures.Add(sig);
        _parent.Add(id);
        int match = -1;
        var bytes = MemoryMarshal.AsBytes(sig.AsSpan());
        for (int band = 0; band < Options.Bands; band++)
        {
            ulong key = XxHash64.HashToUInt64(bytes.Slice(band * Options.Rows * 8, Options.Rows * 8));
            if (!_buckets.TryGetValue((band, key), out var list)) _buckets[(band, key)] = list = [];
            foreach (int other in list)
                if (match < 0 && MinHash.EstimateJaccard(sig, _signatures[other]) >= Options.Threshold) match = other;
            list.Add(id);
        }
        if (match >= 0) _parent[id] = Find(match);
        return match;
    }

    private int Find(int i)
    {
        while (_parent[i] != i) i = _parent[i] = _parent[_parent[i]];
        return i;
    }

    /// <summary>The cluster representative (first document) of document <paramref name="id"/>.</summary>
    public int Cluster(int id) => Find(id);
}
