// TokenShardWriter: tokenizes a stream of documents into fixed-size binary shards (raw little-endian
// uint16/uint32 ids, an EOS id after every document) with a JSON header each. Documents are encoded in
// parallel batches (order preserved); a shard is written to a temporary name and renamed, its header last,
// so a shard with a header is complete. Resume: existing complete shards are kept and the documents they
// consumed are skipped.
using System.Text.Json;
using SharpLM.Data.IO;

namespace SharpLM.Data.Shards;

/// <summary>Options of a tokenize-to-shards run.</summary>
public sealed record ShardOptions(string OutputDir, string TokenizerName, int VocabSize, int EosId, long TokensPerShard = 10_000_000, int Threads = 2, string Prefix = "shard");

/// <summary>Summary of a run.</summary>
public sealed record ShardRunResult(int Shards, long Tokens, long Documents, int ResumedShards);

public static class TokenShardWriter
{
    public static ShardRunResult Write(IEnumerable<Document> documents, Func<string, int[]> encode, ShardOptions o, IProgress<long>? progress = null, CancellationToken cancel = default)
    {
        if (o.TokensPerShard < 1) throw new ArgumentOutOfRangeException(nameof(o), "TokenShardWriter: tokens per shard must be positive.");
        if (o.EosId < 0 || o.EosId >= o.VocabSize) throw new ArgumentOutOfRangeException(nameof(o), $"TokenShardWriter: EOS id {o.EosId} is outside [0, {o.VocabSize}).");
        Directory.CreateDirectory(o.OutputDir);
        string dtype = o.VocabSize <= 65536 ? "uint16" : "uint32";
        // Resume after the last complete shard (one whose header exists).
        int shard = 0; long consumed = 0;
        while (File.Exists(HeaderPath(o, shard)))
        {
            var h = ShardHeader.Read(HeaderPath(o, shard));
            if (h.Tokenizer != o.TokenizerName || h.DType != dtype)
                throw new InvalidOperationException($"{HeaderPath(o, shard)}: written with tokenizer '{h.Tokenizer}' ({h.DType}); this run uses '{o.TokenizerName}' ({dtype}). Use another output folder.");
            consumed = h.DocumentsConsumed;
            shard++;
        }
        int resumed = shard;
        var buffer = new List<int>((int)Math.Min(o.TokensPerShard + 4096, 1 << 26));
        var starts = new List<long>();
        long docs = consumed, tokens = 0;
        foreach (var batch in documents.Skip((int)consumed).Chunk(256))
        {
            cancel.ThrowIfCancellationRequested();
            var encoded = new int[batch.Length][];
            Parallel.For(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Threads) }, i => encoded[i] = encode(batch[i].Text));
            foreach (var ids in encoded)
            {
                starts.Add(buffer.Count);
                buffer.AddRange(ids);
                buffer.Add(o.EosId);
                docs++;
                if (buffer.Count >= o.TokensPerShard)
                {
                    tokens += Flush(o, shard++, dtype, buffer, starts, docs);
                    progress?.Report(tokens);
                }
            }
        }
        if (buffer.Count > 0) tokens += Flush(o, shard++, dtype, buffer, starts, docs);
        return new ShardRunResult(shard, tokens, docs - consumed, resumed);
    }

    public static string BinPath(ShardOptions o, int i) => Path.Combine(o.OutputDir, $"{o.Prefix}_{i:D5}.bin");
    public static string HeaderPath(ShardOptions o, int i) => Path.Combine(o.OutputDir, $"{o.Prefix}_{i:D5}.json");

    private static long Flush(ShardOptions o, int index, string dtype, List<int> buffer, List<long> starts, long docsConsumed)
    {
        foreach (var id in buffer)
            if ((uint)id >= (uint)o.VocabSize) throw new InvalidOperationException($"TokenShardWriter: token id {id} is outside the vocabulary [0, {o.VocabSize}).");
        string bin = BinPath(o, index), tmp = bin + ".tmp";
        using (var f = File.Create(tmp))
        {
            if (dtype == "uint16") foreach (var id in buffer) { f.WriteByte((byte)id); f.WriteByte((byte)(id >> 8)); }
            else f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer)));
        }
        File.Move(tmp, bin, overwrite: true);
        var header = new ShardHeader { Tokenizer = o.TokenizerName, DType = dtype, TokenCount = buffer.Count, EosId = o.EosId, DocumentStarts = starts.ToArray(), DocumentsConsumed = docsConsumed };
        string hp = HeaderPath(o, index);
        File.WriteAllText(hp + ".tmp", JsonSerializer.Serialize(header));
        File.Move(hp + ".tmp", hp, overwrite: true);
        long n = buffer.Count;
        buffer.Clear(); starts.Clear();
        return n;
    }
}
