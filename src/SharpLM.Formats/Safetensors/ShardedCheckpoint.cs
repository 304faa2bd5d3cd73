// ShardedCheckpoint: Hugging Face sharded safetensors checkpoints. A folder holds model.safetensors, or
// model-0000i-of-0000n.safetensors shards plus model.safetensors.index.json:
//   {"metadata": {"total_size": <bytes>}, "weight_map": {"<tensor name>": "<shard file>", …}}
// Opening reads the index, maps every shard it names and checks each tensor is where the index says.
// Writing is SafetensorsWriter.WriteSharded (SharpLM.Models adds ShardedCheckpoint.Write for tensors).
using System.Text.Json;

namespace SharpLM.Formats.Safetensors;

/// <summary>A (possibly sharded) safetensors checkpoint folder opened as one set of named tensors.</summary>
public sealed class ShardedCheckpoint : IDisposable
{
    /// <summary>The index file name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The single-file checkpoint name.</summary>
    public const string SingleFileName = "model.safetensors";

    private readonly List<SafetensorsFile> _shards = [];
    private readonly Dictionary<string, SafetensorsTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    /// <summary>The open shard files.</summary>
    public IReadOnlyList<SafetensorsFile> Shards => _shards;

    /// <summary>Tensor names (index order for sharded checkpoints, data order otherwise).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public SafetensorsTensor this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new ModelFormatException(_shards.Count > 0 ? _shards[0].Path : "", name, "no such tensor in the checkpoint");

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public SafetensorsTensor? TryGet(string name) => _tensors.GetValueOrDefault(name);

    private ShardedCheckpoint() { }

    /// <summary>Opens a folder (index or single file), an index file, or a single .safetensors file.</summary>
    public static ShardedCheckpoint Open(string path)
    {
        var ck = new ShardedCheckpoint();
        try
        {
            path = ModelPath.Resolve(path);
            if (Directory.Exists(path))
            {
                var index = Path.Combine(path, IndexFileName);
                if (ModelPath.FileExists(index)) ck.OpenIndex(index);
                else if (ModelPath.FileExists(Path.Combine(path, SingleFileName))) ck.AddWhole(Path.Combine(path, SingleFileName));
                else throw new ModelFormatException(path, "", $"expected {IndexFileName} or {SingleFileName} in the folder, found neither");
            }
            else if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) ck.OpenIndex(path);
            else ck.AddWhole(path);
            return ck;
        }
        catch { ck.Dispose(); throw; }
    }

    private void AddWhole(string file)
    {
        var f = SafetensorsFile.Open(file);
        _shards.Add(f);
        foreach (var t in f.Tensors) { _tensors.Add(t.Name, t); _names.Add(t.Name); }
    }

    private void OpenIndex(string index)
    {
        JsonDocument doc;
        if (!ModelPath.FileExists(index)) throw new ModelFormatException(index, "", "file not found");
        try { doc = JsonDocument.Parse(File.ReadAllBytes(index)); }
        catch (JsonException e) { throw new ModelFormatException(index, "", $"invalid JSON: {e.Message}", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw ModelFormatException.Expected(index, "weight_map", "an object mapping tensor names to shard files", "none");
            var dir = Path.GetDirectoryName(Path.GetFullPath(index))!;
            var byFile = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw ModelFormatException.Expected(index, p.Name, "a shard file name", p.Value.ValueKind);
                var shard = p.Value.GetString()!;
                if (shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw ModelFormatException.Expected(index, p.Name, "a plain file name in the index's folder", shard);
                if (!byFile.TryGetValue(shard, out var f))
                {
                    var full = Path.Combine(dir, shard);
                    if (!ModelPath.FileExists(full)) throw new ModelFormatException(index, p.Name, $"shard '{shard}' is missing (expected at {full})");
                    f = SafetensorsFile.Open(full);
                    byFile.Add(shard, f);
                    _shards.Add(f);
                }
                var t = f.TryGetTensor(p.Name) ?? throw new ModelFormatException(f.Path, p.Name, $"the index says this tensor is in '{shard}', but it is not");
                if (!_tensors.TryAdd(p.Name, t)) throw new ModelFormatException(index, p.Name, "duplicate tensor in weight_map");
                _names.Add(p.Name);
            }
        }
    }

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }
}
