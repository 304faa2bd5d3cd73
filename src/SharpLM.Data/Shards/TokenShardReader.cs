// TokenShardReader: opens a folder of token shards for training — all complete shards (those with a
// header) of a prefix, their tokens as one stream, and random windows x = t[i..i+T), y = t[i+1..i+T] that
// pack documents back to back with their EOS separators (nanoGPT's get_batch over a .bin file).
namespace SharpLM.Data.Shards;

public sealed class TokenShardReader
{
    private readonly int[] _tokens;

    /// <summary>Headers of the shards read, in order.</summary>
    public IReadOnlyList<ShardHeader> Headers { get; }

    /// <summary>All tokens of all shards, in order.</summary>
    public ReadOnlySpan<int> Tokens => _tokens;

    public TokenShardReader(string dir, string prefix = "shard")
    {
        var headers = new List<ShardHeader>();
        var all = new List<int>();
        for (int i = 0; File.Exists(Path.Combine(dir, $"{prefix}_{i:D5}.json")); i++)
        {
            string hp = Path.Combine(dir, $"{prefix}_{i:D5}.json"), bin = Path.Combine(dir, $"{prefix}_{i:D5}.bin");
            var h = ShardHeader.Read(hp);
            var bytes = File.ReadAllBytes(bin);
            if (bytes.Length != h.TokenCount * h.BytesPerToken)
                throw new FormatException($"{bin}: {bytes.Length} bytes, the header says {h.TokenCount} {h.DType} tokens ({h.TokenCount * h.BytesPerToken} bytes).");
            for (long k = 0; k < h.TokenCount; k++)
                all.Add(h.BytesPerToken == 2 ? BitConverter.ToUInt16(bytes, (int)(2 * k)) : BitConverter.ToInt32(bytes, (int)(4 * k)));
            headers.Add(h);
        }
        if (headers.Count == 0) throw new FileNotFoundException($"TokenShardReader: no {prefix}_00000.json in {dir}.");
        Headers = headers;
        _tokens = all.ToArray();
    }

    /// <summary>A batch of <paramref name="batch"/> windows of <paramref name="context"/> tokens and their next-token targets.</summary>
    public (int[] X, int[] Y) SampleWindows(int batch, int context, System.Random rng)
    {
        if (_tokens.Length < context + 1) throw new InvalidOperationException($"TokenShardReader: {_tokens.Length} tokens are too few for windows of {context} + 1.");
        var x = new int[batch * context]; var y = new int[batch * context];
        for (int b = 0; b < batch; b++)
        {
            int s = rng.Next(_tokens.Length - context);
            Array.Copy(_tokens, s, x, b * context, context);
            Array.Copy(_tokens, s + 1, y, b * context, context);
        }
        return (x, y);
    }
}
