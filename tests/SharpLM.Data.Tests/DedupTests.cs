// Dedup tests: exact dedup of normalised text, line dedup across documents, MinHash Jaccard estimates against exact
// Jaccard, and LSH precision/recall on a generated near-duplicate set with known pairs.
using SharpLM.Data.Dedup;

namespace SharpLM.Data.Tests;

public class DedupTests
{
    [Fact]
    public void ExactDedupUsesNormalisedText()
    {
        var d = new ExactDedup();
        Assert.True(d.IsFirst("Hello   World\n"));
        Assert.False(d.IsFirst("hello world"));
        Assert.False(d.IsFirst(" HELLO\tWORLD "));
        Assert.True(d.IsFirst("hello, world"));
        Assert.Equal(2, d.Duplicates);
        Assert.Equal(ExactDedup.Hash("A  b"), ExactDedup.Hash("a b"));
    }

    [Fact]
    public void LineDedupRemovesLinesSeenInEarlierDocuments()
    {
        var d = new LineDedup(minChars: 5);
        Assert.Equal("copyright 2024 acme\nfirst body\nok", d.Apply("copyright 2024 acme\nfirst body\nok"));
        Assert.Equal("second body\nok", d.Apply("Copyright 2024  ACME\nsecond body\nok"));
        Assert.Equal(1, d.LinesRemoved);
        // a line repeated inside one document is kept
        Assert.Equal("again line\nagain line", d.Apply("again line\nagain line"));
    }

    private static (List<string> Docs, HashSet<(int, int)> Pairs) NearDuplicateSet(int bases, int dups, double editRate, int seed)
    {
        var rng = new Random(seed);
        var vocab = Enumerable.Range(0, 5000).Select(i => $"w{i}x{rng.Next(1000)}").ToArray();
        var docs = new List<string>();
        var pairs = new HashSet<(int, int)>();
        for (int i = 0; i < bases; i++) docs.Add(string.Join(' ', Enumerable.Range(0, 120).Select(_ => vocab[rng.Next(vocab.Length)])));
        for (int j = 0; j < dups; j++)
        {
            int src = rng.Next(bases);
            var words = docs[src].Split(' ');
            for (int k = 0; k < words.Length; k++) if (rng.NextDouble() < editRate) words[k] = vocab[rng.Next(vocab.Length)];
            pairs.Add((src, docs.Count));
            docs.Add(string.Join(' ', words));
        }
        return (docs, pairs);
    }

    [Fact]
    public void MinHashEstimatesJaccard()
    {
        var mh = new MinHash(numPerm: 256, shingleSize: 3, seed: 7);
        var (docs, pairs) = NearDuplicateSet(40, 40, 0.05, 1);
        int n = 0;
        foreach (var (a, b) in pairs.Take(30))
        {
            var sa = mh.Shingles(docs[a]);
            var sb = mh.Shingles(docs[b]);
            double exact = MinHash.ExactJaccard(sa, sb), est = MinHash.EstimateJaccard(mh.Signature(sa), mh.Signature(sb));
            Assert.InRange(exact, 0.3, 1.0);
            Assert.True(Math.Abs(exact - est) < 0.12, $"exact {exact:F3} estimate {est:F3}");
            n++;
        }
        Assert.Equal(30, n);
        Assert.Equal(0.0, MinHash.EstimateJaccard(mh.Signature(docs[0]), mh.Signature(docs[1])), 0.05);
        // identical shingle sets give identical signatures
        Assert.Equal(1.0, MinHash.EstimateJaccard(mh.Signature("a b c d e"), mh.Signature("A b  c d e")));
    }

    [Fact]
    public void LshFindsKnownNearDuplicatePairs()
    {
        var (docs, truth) = NearDuplicateSet(400, 200, 0.03, 2);
        var lsh = new MinHashLsh(new MinHashOptions { ShingleSize = 3, Bands = 20, Rows = 5, Threshold = 0.5, Seed = 3 });
        var found = new HashSet<(int, int)>();
        for (int i = 0; i < docs.Count; i++)
        {
            int m = lsh.Add(docs[i]);
            if (m >= 0) found.Add((m, i));
        }
        int tp = found.Count(truth.Contains);
        double precision = (double)tp / found.Count, recall = (double)tp / truth.Count;
        Assert.True(precision >= 0.95, $"precision {precision:F3}");
        Assert.True(recall >= 0.95, $"recall {recall:F3}");
    }
}
