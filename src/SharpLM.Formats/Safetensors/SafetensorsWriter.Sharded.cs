// SafetensorsWriter.WriteSharded: a Hugging Face checkpoint folder — one model.safetensors when the entries fit
// in maxShardBytes, otherwise model-0000i-of-0000n.safetensors shards (entries in insertion order, a bigger
// entry gets a shard of its own) plus model.safetensors.index.json:
//   {"metadata": {"total_size": <bytes>}, "weight_map": {"<tensor name>": "<shard file>", …}}
using System.Text.Json;

namespace SharpLM.Formats.Safetensors;

public sealed partial class SafetensorsWriter
{
    /// <summary>Writes the entries to <paramref name="folder"/> as one <c>model.safetensors</c> or as shards and the index;
    /// every file gets <see cref="Metadata"/> (<c>{"format": "pt"}</c> when null). Returns the files written.</summary>
    public IReadOnlyList<string> WriteSharded(string folder, long maxShardBytes = 5L << 30)
    {
        if (maxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "must be positive");
        Directory.CreateDirectory(folder);
        var metadata = Metadata ?? new Dictionary<string, string> { ["format"] = "pt" };
        var groups = new List<List<SafetensorsEntry>> { new() };
        long current = 0, total = 0;
        foreach (var e in _entries)
        {
            if (groups[^1].Count > 0 && current + e.ByteSize > maxShardBytes) { groups.Add([]); current = 0; }
            groups[^1].Add(e);
            current += e.ByteSize;
            total += e.ByteSize;
        }
        var written = new List<string>();
        if (groups.Count == 1)
        {
            var p = Path.Combine(folder, ShardedCheckpoint.SingleFileName);
            WriteFile(p, groups[0], metadata);
            written.Add(p);
            return written;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++)
        {
            var name = $"model-{i + 1:D5}-of-{groups.Count:D5}.safetensors";
            var p = Path.Combine(folder, name);
            WriteFile(p, groups[i], metadata);
            foreach (var e in groups[i])
                if (!weightMap.TryAdd(e.Name, name)) throw new ArgumentException($"ShardedCheckpoint.Write: duplicate tensor name '{e.Name}'.");
            written.Add(p);
        }
        var index = Path.Combine(folder, ShardedCheckpoint.IndexFileName);
        AtomicFile.Write(index, s =>
        {
            using var j = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
            j.WriteStartObject();
            j.WriteStartObject("metadata");
            j.WriteNumber("total_size", total);
            j.WriteEndObject();
            j.WriteStartObject("weight_map");
            foreach (var (n, f) in weightMap) j.WriteString(n, f);
            j.WriteEndObject();
            j.WriteEndObject();
        });
        written.Add(index);
        return written;
    }
}
