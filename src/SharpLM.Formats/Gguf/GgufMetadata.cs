// GgufMetadata: the key/value pairs of a GGUF file as a read-only view with typed, optional accessors (null when
// the key is absent). A wrong type fails with one line naming the file, the key, what was expected and what was
// found. Integer accessors accept any GGUF integer width and signedness (writers differ: u32 vs i32).
namespace SharpLM.Formats.Gguf;

/// <summary>GGUF metadata: ordered key/value pairs and typed getters.</summary>
public sealed class GgufMetadata
{
    private readonly Dictionary<string, GgufValue> _map = new(StringComparer.Ordinal);

    /// <summary>A view over <paramref name="pairs"/> (a later duplicate key wins); <paramref name="source"/> names them in errors.</summary>
    public GgufMetadata(string source, IEnumerable<KeyValuePair<string, GgufValue>> pairs)
    {
        Source = source;
        Pairs = pairs.ToList();
        foreach (var (k, v) in Pairs) _map[k] = v;
    }

    /// <summary>The metadata of an open file, in file order.</summary>
    public GgufMetadata(GgufFile file) : this(file.Path, file.Keys.Select(k => KeyValuePair.Create(k, file.Metadata[k]))) { }

    /// <summary>Opens <paramref name="path"/>, copies its metadata and closes it again (tensor data is never read).</summary>
    public static GgufMetadata Read(string path, bool strictUtf8 = false)
    {
        using var f = GgufFile.Open(path, strictUtf8);
        return new GgufMetadata(f);
    }

    /// <summary>The file (or other source) the pairs came from.</summary>
    public string Source { get; }

    /// <summary>The pairs in order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Pairs { get; }

    public bool Contains(string key) => _map.ContainsKey(key);

    public GgufValue? Get(string key) => _map.GetValueOrDefault(key);

    public string? GetString(string key) => Get(key) switch
    {
        null => null,
        { Value: string s } => s,
        var v => throw Wrong(key, "a string", v),
    };

    /// <summary>The string at <paramref name="key"/>; an error when absent.</summary>
    public string RequireString(string key) => GetString(key) ?? throw Missing(key, "a string");

    public long? GetInteger(string key) => Get(key) switch
    {
        null => null,
        { IsInteger: true } v => v.Value is ulong u && u > long.MaxValue ? throw Wrong(key, "an integer within the int64 range", v) : v.AsInt64(),
        var v => throw Wrong(key, "an integer", v),
    };

    public int? GetInt32(string key) => GetInteger(key) switch
    {
        null => null,
        long l and >= int.MinValue and <= int.MaxValue => (int)l,
        long l => throw new ModelFormatException(Source, key, $"expected an int32, found {l}"),
    };

    /// <summary>
    /// A token-id key (tokenizer.ggml.*_token_id) in any integer type: false when the key is absent; true with
    /// <paramref name="id"/> = null when the file says "no token" — llama.cpp's LLAMA_TOKEN_NULL, which its
    /// converter writes as u32 4294967295 (and other writers as i32 -1 or u64 all-ones); any negative value or
    /// an id not below <paramref name="vocabSize"/> also means none (llama.cpp never looks such an id up).
    /// </summary>
    public bool TryGetTokenId(string key, int vocabSize, out int? id)
    {
        id = null;
        var v = Get(key);
        if (v is null) return false;
        if (!v.IsInteger) throw Wrong(key, "an integer token id", v);
        long x = v.Value switch
        {
            ulong u => u > long.MaxValue ? -1 : (long)u,
            _ => v.AsInt64(),
        };
        if (x >= 0 && x < vocabSize) id = (int)x;
        return true;
    }

    public bool? GetBool(string key) => Get(key) switch
    {
        null => null,
        { Value: bool b } => b,
        var v => throw Wrong(key, "a bool", v),
    };

    public string[]? GetStringArray(string key) => Get(key) switch
    {
        null => null,
        { Value: string[] a } => a,
        var v => throw Wrong(key, "an array of strings", v),
    };

    public float[]? GetFloatArray(string key) => Get(key) switch
    {
        null => null,
        { Value: float[] a } => a,
        { Value: double[] a } => a.Select(d => (float)d).ToArray(),
        var v => throw Wrong(key, "an array of float32", v),
    };

    /// <summary>An array of any integer element type as int32 (a value outside the int32 range is an error).</summary>
    public int[]? GetInt32Array(string key)
    {
        var v = Get(key);
        if (v is null) return null;
        if (v.Value is int[] ints) return ints;
        if (v.Value is not Array a || v.ElementType is GgufValueType.Float32 or GgufValueType.Float64 or GgufValueType.Bool
            or GgufValueType.String or GgufValueType.Array)
            throw Wrong(key, "an array of integers", v);
        var r = new int[a.Length];
        for (int i = 0; i < r.Length; i++)
        {
            var e = a.GetValue(i)!;
            long x = e is ulong u ? (u > int.MaxValue ? long.MaxValue : (long)u) : Convert.ToInt64(e);
            if (x is < int.MinValue or > int.MaxValue) throw new ModelFormatException(Source, key, $"expected int32 values, found {e} at index {i}");
            r[i] = (int)x;
        }
        return r;
    }

    /// <summary>The error for a required key that is absent.</summary>
    public ModelFormatException Missing(string key, string expected) => new(Source, key, $"missing (expected {expected})");

    private ModelFormatException Wrong(string key, string expected, GgufValue v) => ModelFormatException.Expected(Source, key, expected, v.Describe());
}
