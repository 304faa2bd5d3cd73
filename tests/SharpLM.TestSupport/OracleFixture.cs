// OracleFixture: reads the safetensors files written by tests/oracles/make_fixtures.py (PyTorch, float64
// reference) and turns their entries into tensors. A missing file fails the test loudly.
using System.Text.Json;

namespace SharpLM.TestSupport;

public sealed class OracleFixture
{
    private readonly Dictionary<string, (string DType, int[] Shape, long Begin, long End)> _entries = new();
    private readonly byte[] _data;
    private readonly long _base;

    public string Path { get; }

    /// <summary>Opens Fixtures/<paramref name="fileName"/> from the test output folder (or an absolute path).</summary>
    public OracleFixture(string fileName)
    {
        Path = System.IO.Path.IsPathRooted(fileName) ? fileName : System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName);
        if (!File.Exists(Path)) throw new FileNotFoundException($"Oracle fixture missing: {Path}. Regenerate with /usr/bin/python3 tests/oracles/make_fixtures.py.");
        _data = File.ReadAllBytes(Path);
        long n = BitConverter.ToInt64(_data, 0);
        using var doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(_data, 8, (int)n));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var off = p.Value.GetProperty("data_offsets");
            _entries[p.Name] = (p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                off[0].GetInt64(), off[1].GetInt64());
        }
        _base = 8 + n;
    }

    public bool Has(string name) => _entries.ContainsKey(name);

    public IEnumerable<string> Names => _entries.Keys;

    public int[] Shape(string name) => Entry(name).Shape;

    private (string DType, int[] Shape, long Begin, long End) Entry(string name) =>
        _entries.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");

    /// <summary>Values as double, whatever the stored type.</summary>
    public double[] Values(string name)
    {
        var e = Entry(name);
        var span = new ReadOnlySpan<byte>(_data, (int)(_base + e.Begin), (int)(e.End - e.Begin));
        return e.DType switch
        {
            "F32" => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(span).ToArray().Select(v => (double)v).ToArray(),
            "F64" => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(span).ToArray(),
            "I64" => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(span).ToArray().Select(v => (double)v).ToArray(),
            _ => throw new NotSupportedException($"{Path}: tensor '{name}' has unsupported dtype {e.DType}."),
        };
    }

    public bool IsInteger(string name) => Entry(name).DType == "I64";

}

/// <summary>Closeness check used against the oracle: |a − b| ≤ rtol·(|b| + max|b|) + atol, i.e. relative to the element with an absolute floor at rtol times the tensor's largest magnitude (plus an optional atol for tensors that are analytically zero).</summary>
public static class Close
{
    /// <summary>Largest |a − b| over the elements.</summary>
    public static double MaxAbsDiff(float[] actual, double[] expected) => actual.Zip(expected, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max();

    public static void Assert(string what, float[] actual, double[] expected, int[] shape, int[] expectedShape, double rtol, double atol = 0)
    {
        Xunit.Assert.True(shape.SequenceEqual(expectedShape), $"{what}: shape [{string.Join(",", shape)}] != expected [{string.Join(",", expectedShape)}]");
        Xunit.Assert.Equal(expected.Length, actual.Length);
        double max = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            if (!(err <= rtol * (Math.Abs(expected[i]) + max) + atol))
                Xunit.Assert.Fail($"{what}[{i}]: got {actual[i]:G9}, expected {expected[i]:G9} (|err| {err:G3} > rtol {rtol} · (|b| + max|b| = {max:G3}) + atol {atol})");
        }
    }
}
