// LayerTests: the layer rules of DESIGN.md, checked on the sources. Every src/*/*.csproj must be classified
// in the table below and may only reference the projects its layer allows; Text and Formats stay free of
// tensor code (no reference, direct or transitive, and no `using SharpLM.Tensors`).
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SharpLM.TestSupport;
using Xunit;

namespace SharpLM.Architecture.Tests;

public class LayerTests
{
    private const string Formats = "SharpLM.Formats", Tensors = "SharpLM.Tensors", Text = "SharpLM.Text", Data = "SharpLM.Data",
        Models = "SharpLM.Models", Training = "SharpLM.Training", Inference = "SharpLM.Inference", Eval = "SharpLM.Eval", Server = "SharpLM.Server", Cli = "SharpLM.Cli";

    /// <summary>Which SharpLM projects each src project may reference (DESIGN.md, "Layers"); null = anything (the CLI).</summary>
    private static readonly Dictionary<string, string[]?> Allowed = new()
    {
        [Formats] = [],
        [Tensors] = [],
        [Text] = [Formats],
        [Data] = [Text, Formats],
        [Models] = [Tensors, Formats],
        [Training] = [Tensors, Models, Text, Data, Formats],
        [Inference] = [Tensors, Models, Text, Formats],
        [Eval] = [Inference, Tensors, Models, Text, Formats],
        [Server] = [Inference, Tensors, Models, Text, Formats],
        [Cli] = null,
    };

    private static string Src => Path.Combine(RepoPaths.Root, "src");

    /// <summary>Project name → names of the projects it references (from its ProjectReference items).</summary>
    private static Dictionary<string, string[]> References() =>
        Directory.GetDirectories(Src)
            .SelectMany(d => Directory.GetFiles(d, "*.csproj"))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => XDocument.Load(p).Descendants()
                .Where(e => e.Name.LocalName == "ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(((string?)e.Attribute("Include") ?? "").Replace('\\', '/')))
                .ToArray());

    [Fact]
    public void SourceTreeHasTheProjects()
    {
        var refs = References();
        Assert.True(refs.Count >= Allowed.Count, $"found only {refs.Count} projects under {Src}");
        Assert.Contains(Formats, refs.Keys);
    }

    [Fact]
    public void EverySrcProjectIsClassified()
    {
        var unclassified = References().Keys.Where(p => !Allowed.ContainsKey(p)).ToList();
        Assert.True(unclassified.Count == 0, $"add these projects to the layer table in LayerTests (and DESIGN.md): {string.Join(", ", unclassified)}");
        var missing = Allowed.Keys.Where(p => !References().ContainsKey(p)).ToList();
        Assert.True(missing.Count == 0, $"the layer table names projects that are not under src/: {string.Join(", ", missing)}");
    }

    [Fact]
    public void NoProjectReferencesALayerAboveIt()
    {
        var bad = new List<string>();
        foreach (var (project, refs) in References())
        {
            if (!Allowed.TryGetValue(project, out var allowed) || allowed is null) continue;
            foreach (var r in refs.Where(r => !allowed.Contains(r)))
                bad.Add($"{project} → {r} (allowed: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))})");
        }
        Assert.True(bad.Count == 0, "layer violations:\n" + string.Join("\n", bad));
    }

    [Theory]
    [InlineData(Text)]
    [InlineData(Formats)]
    public void ReachesNoTensorCode(string project)
    {
        var refs = References();
        var seen = new HashSet<string>();
        var stack = new Stack<string>([project]);
        while (stack.Count > 0)
            foreach (var r in refs.GetValueOrDefault(stack.Pop()) ?? [])
                if (seen.Add(r)) stack.Push(r);
        Assert.DoesNotContain(Tensors, seen);
        var csproj = File.ReadAllText(Path.Combine(Src, project, project + ".csproj"));
        Assert.DoesNotContain("System.Numerics.Tensors", csproj);
    }

    private static readonly Regex UsingTensors = new(@"^\s*(global\s+)?using\s+(static\s+)?(\w+\s*=\s*)?SharpLM\.Tensors\b", RegexOptions.Multiline);

    [Theory]
    [InlineData(Text)]
    [InlineData(Formats)]
    public void SourcesDoNotUseTensors(string project)
    {
        var dir = Path.Combine(Src, project);
        var files = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(files);
        var offenders = files.Where(f => UsingTensors.IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(RepoPaths.Root, f)).ToList();
        Assert.True(offenders.Count == 0, "`using SharpLM.Tensors` in: " + string.Join(", ", offenders));
    }
}
