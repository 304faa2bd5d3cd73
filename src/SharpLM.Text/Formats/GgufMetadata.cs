// GgufMetadata: the key/value pairs of a GGUF file with typed accessors that fail naming the file, the key
// and the expected type. Integer accessors accept any GGUF integer type (writers differ: u32 vs i32).
namespace SharpLM.Text.Formats;

/// <summary>GGUF metadata: ordered key/value pairs and typed getters.</summary>
public sealed class GgufMetadata
{
    private readonly Dictionary<string, GgufValue> _map;

    public GgufMetadata(string source, uint version, ulong tensorCount, IReadOnlyList<KeyValuePair<string, GgufValue>> pairs)
    {
        Source = source; Version = version; TensorCount = tensorCount; Pairs = pairs;
        _map = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) _map[k] = v;
    }

    public string Source { get; }
    public uint Version { get; }
    public ulong TensorCount { get; }
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Pairs { get; }

    public bool Contains(string key) => _map.ContainsKey(key);
    public GgufValue? Get(string key) => _map.GetValueOrDefault(key);

    public string? GetString(string key) => Get(key) switch
    {
        null => null,
        { Value: string s } => s,
        var v => throw Wrong(key, "a string", v),
    };

    public string RequireString(string key) => GetString(key) ?? throw Missing(key, "a string");

    public long? GetInteger(string key) => Get(key) switch
    {
        null => null,
        { Value: byte x } => x, { Value: sbyte x } => x, { Value: ushort x } => x, { Value: short x } => x,
        { Value: uint x } => x, { Value: int x } => x, { Value: ulong x } => (long)x, { Value: long x } => x,
        var v => throw Wrong(key, "an integer", v),
    };

    public int? GetInt32(string key) => GetInteger(key) is long l ? checked((int)l) : null;

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

    public int[]? GetInt32Array(string key) => Get(key) switch
    {
        null => null,
        { Value: int[] a } => a,
        { Value: uint[] a } => a.Select(x => checked((int)x)).ToArray(),
        { Value: byte[] a } => a.Select(x => (int)x).ToArray(),
        { Value: sbyte[] a } => a.Select(x => (int)x).ToArray(),
        { Value: short[] a } => a.Select(x => (int)x).ToArray(),
        { Value: ushort[] a } => a.Select(x => (int)x).ToArray(),
        { Value: long[] a } => a.Select(x => checked((int)x)).ToArray(),
        var v => throw Wrong(key, "an array of integers", v),
    };

    private InvalidDataException Wrong(string key, string expected, GgufValue v) =>
        new($"{Source}: GGUF key '{key}' should be {expected}, found {v.Type}{(v.Type == GgufType.Array ? $" of {v.ElementType}" : "")}.");

    public InvalidDataException Missing(string key, string expected) =>
        new($"{Source}: GGUF key '{key}' ({expected}) is missing.");
}
