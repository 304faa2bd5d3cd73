// Fixture: reads the JSON fixtures copied beside the test binaries.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpLM.Eval.Tests;

internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!;

    public static IEnumerable<object[]> Cases(string file, string key) =>
        Load(file)[key]!.AsArray().Select((c, i) => new object[] { i, (c!["source"] ?? "").ToString() });

    public static JsonNode Case(string file, string key, int index) => Load(file)[key]!.AsArray()[index]!;

    public static string[] Strings(JsonNode n) => n.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    public static double? OptDouble(JsonNode? n) => n is null ? null : n.GetValue<double>();
}
