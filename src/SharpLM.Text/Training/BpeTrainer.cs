// BpeTrainer: byte-level BPE training as in GPT-2 (Sennrich et al. 2016 over UTF-8 bytes; Radford et al. 2019).
// Vocabulary layout: the special tokens (ids 0..S-1), then the 256 single bytes ordered by their GPT-2
// printable character (the order the Hugging Face trainer and the reference vocabulary use), then one token per
// merge in merge order. Pre-tokens come from the GPT-2 pattern (PreTokenizerPatterns), counted in parallel,
// with the corpus split on the special tokens; merges never cross a pre-token. Count ties go to the
// lexicographically greater pair, comparing (first, second) as byte strings.
using System.Text;
using SharpLM.Text.ByteLevel;
using SharpLM.Text.PreTokenization;

namespace SharpLM.Text.Training;

/// <summary>Settings of a byte-level BPE training run.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Final vocabulary size, special tokens and the 256 bytes included.</summary>
    public int VocabSize { get; init; } = 50257;

    /// <summary>Special tokens, given ids 0.. in this order; the corpus is split on them.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["<|endoftext|>"];

    /// <summary>Pre-tokenizer regular expression.</summary>
    public string Pattern { get; init; } = PreTokenizerPatterns.Gpt2;

    /// <summary>Threads used to count pre-tokens.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>A pair seen fewer times than this is never merged.</summary>
    public long MinFrequency { get; init; } = 1;
}

/// <summary>A trained byte-level BPE: token byte strings by id and the merges in order.</summary>
public sealed class BpeTrainingResult
{
    internal BpeTrainingResult(IReadOnlyList<string> specials, IReadOnlyList<byte[]> tokens, IReadOnlyList<(byte[] First, byte[] Second)> merges)
    {
        SpecialTokens = specials;
        Tokens = tokens;
        Merges = merges;
    }

    /// <summary>The special tokens (ids 0..Count-1).</summary>
    public IReadOnlyList<string> SpecialTokens { get; }

    /// <summary>Bytes of each token by id (a special token's bytes are its UTF-8 text).</summary>
    public IReadOnlyList<byte[]> Tokens { get; }

    /// <summary>The merges in the order they were learned.</summary>
    public IReadOnlyList<(byte[] First, byte[] Second)> Merges { get; }

    /// <summary>The text form of token <paramref name="id"/>: the special token itself or its GPT-2 byte-to-unicode string.</summary>
    public string TokenText(int id) => id < SpecialTokens.Count ? SpecialTokens[id] : ByteToUnicode.Encode(Tokens[id]);

    /// <summary>Each merge as "first second" in GPT-2 byte-to-unicode form, as merges.txt lines.</summary>
    public IEnumerable<string> MergeLines() => Merges.Select(m => ByteToUnicode.Encode(m.First) + " " + ByteToUnicode.Encode(m.Second));
}

/// <summary>Trains a byte-level BPE vocabulary.</summary>
public static class BpeTrainer
{
    /// <summary>Trains on the concatenation of <paramref name="texts"/> (each is pre-tokenized on its own).</summary>
    public static BpeTrainingResult Train(IEnumerable<string> texts, BpeTrainerOptions options, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        int specials = options.SpecialTokens.Count;
        if (options.VocabSize < specials + 256)
            throw new ArgumentException($"BpeTrainerOptions.VocabSize: {options.VocabSize} is smaller than {specials} special tokens + 256 bytes.", nameof(options));
        var regex = PreTokenizerPatterns.Compile(options.Pattern);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts) PreTokenCounter.CountInto(counts, text, regex, options.SpecialTokens, options.Threads);
        progress?.Report($"bpe: {counts.Count} distinct pre-tokens");
        return TrainFromCounts(counts, options, progress, cancel);
    }

    /// <summary>Trains from pre-token counts.</summary>
    public static BpeTrainingResult TrainFromCounts(IReadOnlyDictionary<string, long> counts, BpeTrainerOptions options, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        // Internal symbol ids: 0..255 are bytes, 256.. the merged tokens in order.
        var bytes = new List<byte[]>(options.VocabSize);
        for (int b = 0; b < 256; b++) bytes.Add([(byte)b]);
        var ordered = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();   // fixed word order
        var words = new int[ordered.Length][];
        var freq = new long[ordered.Length];
        for (int w = 0; w < ordered.Length; w++)
        {
            var utf8 = Encoding.UTF8.GetBytes(ordered[w].Key);
            words[w] = Array.ConvertAll(utf8, b => (int)b);
            freq[w] = ordered[w].Value;
        }
        var merger = new PairMerger(words, freq, (a, b) => bytes[a].AsSpan().SequenceCompareTo(bytes[b]));
        int mergesWanted = options.VocabSize - options.SpecialTokens.Count - 256;
        var merges = new List<(byte[], byte[])>(mergesWanted);
        while (merges.Count < mergesWanted && merger.TryBest(options.MinFrequency, out int a, out int b, out _))
        {
            cancel.ThrowIfCancellationRequested();
            bytes.Add([.. bytes[a], .. bytes[b]]);
            merges.Add((bytes[a], bytes[b]));
            merger.Merge(a, b, bytes.Count - 1);
            if (progress != null && merges.Count % 1000 == 0) progress.Report($"bpe: {merges.Count}/{mergesWanted} merges");
        }

        var tokens = new List<byte[]>(options.SpecialTokens.Count + bytes.Count);
        foreach (var s in options.SpecialTokens) tokens.Add(Encoding.UTF8.GetBytes(s));
        tokens.AddRange(Enumerable.Range(0, 256).OrderBy(b => ByteToUnicode.Encode((byte)b)).Select(b => new[] { (byte)b }));
        tokens.AddRange(bytes.Skip(256));
        return new BpeTrainingResult(options.SpecialTokens.ToArray(), tokens, merges);
    }
}
